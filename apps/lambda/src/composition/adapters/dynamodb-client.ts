import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ContainerModuleLoadOptions } from 'inversify';
import type { AppConfig } from '../config.js';
import { TOKENS } from '../tokens.js';

/** Binds the DynamoDB client once, however many of a function's modules use it. */
export function bindDynamoDbClient({ bind, isBound }: ContainerModuleLoadOptions, config: AppConfig): void {
  if (isBound(TOKENS.DynamoDbClient)) return;
  bind<DynamoDBClient>(TOKENS.DynamoDbClient).toResolvedValue(
    () => new DynamoDBClient(config.dynamoDbEndpoint === null ? {} : { endpoint: config.dynamoDbEndpoint }),
  );
}
