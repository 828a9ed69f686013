import type { SQSClient } from '@aws-sdk/client-sqs';
import { SqsDeadlineScheduler, SqsMessageQueue } from '@pushline/adapters/sqs';
import type { Clock, DeadlineScheduler, MessageQueue } from '@pushline/core';
import { ContainerModule } from 'inversify';
import { type AppConfig, ENV } from '../config.js';
import { required } from '../container.js';
import { TOKENS } from '../tokens.js';
import { bindSqsClient } from './sqs-client.js';

/** The NotifyUser and NotifyConnection queues: `MessageQueue` (need `notifyQueues`). */
export const notifyQueues = (config: AppConfig): ContainerModule =>
  new ContainerModule((options) => {
    bindSqsClient(options, config);
    options.bind<MessageQueue>(TOKENS.MessageQueue).toResolvedValue(
      (client: SQSClient) =>
        new SqsMessageQueue({
          client,
          notifyUserQueueUrl: required(config.notifyUserQueueUrl, ENV.notifyUserQueueUrl),
          notifyConnectionQueueUrl: required(config.notifyConnectionQueueUrl, ENV.notifyConnectionQueueUrl),
        }),
      [TOKENS.SqsClient],
    );
  });

/** The deadlines queue: `DeadlineScheduler` (needs `deadlines` and `expiryChecks`). */
export const deadlines = (config: AppConfig): ContainerModule =>
  new ContainerModule((options) => {
    bindSqsClient(options, config);
    options.bind<DeadlineScheduler>(TOKENS.DeadlineScheduler).toResolvedValue(
      (client: SQSClient, clock: Clock) =>
        new SqsDeadlineScheduler({
          client,
          clock,
          queueUrl: required(config.deadlinesQueueUrl, ENV.deadlinesQueueUrl),
        }),
      [TOKENS.SqsClient, TOKENS.Clock],
    );
  });
