import { SQSClient } from '@aws-sdk/client-sqs';
import type { ContainerModuleLoadOptions } from 'inversify';
import type { AppConfig } from '../config.js';
import { TOKENS } from '../tokens.js';

/** Binds the SQS client once, however many of a function's modules use it. */
export function bindSqsClient({ bind, isBound }: ContainerModuleLoadOptions, config: AppConfig): void {
  if (isBound(TOKENS.SqsClient)) return;
  bind<SQSClient>(TOKENS.SqsClient).toResolvedValue(
    () => new SQSClient(config.sqsEndpoint === null ? {} : { endpoint: config.sqsEndpoint }),
  );
}
