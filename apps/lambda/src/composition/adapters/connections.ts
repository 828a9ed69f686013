import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbConnectionRepository } from '@pushline/adapters/dynamodb';
import type { ConnectionRepository } from '@pushline/core';
import { ContainerModule } from 'inversify';
import { type AppConfig, ENV } from '../config.js';
import { required } from '../container.js';
import { TOKENS } from '../tokens.js';
import { bindDynamoDbClient } from './dynamodb-client.js';

/** The connection registry: `ConnectionRepository` on the connections table (need `connections`). */
export const connections = (config: AppConfig): ContainerModule =>
  new ContainerModule((options) => {
    bindDynamoDbClient(options, config);
    options.bind<ConnectionRepository>(TOKENS.ConnectionRepository).toResolvedValue(
      (client: DynamoDBClient) =>
        new DynamoDbConnectionRepository({
          client,
          tableName: required(config.connectionsTable, ENV.connectionsTable),
        }),
      [TOKENS.DynamoDbClient],
    );
  });
