import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbNotificationStream } from '@pushline/adapters/dynamodb';
import type { Clock, NotificationStream } from '@pushline/core';
import { ContainerModule } from 'inversify';
import { type AppConfig, ENV } from '../config.js';
import { required } from '../container.js';
import { TOKENS } from '../tokens.js';
import { bindDynamoDbClient } from './dynamodb-client.js';

/** The users' notification streams on the notifications table (need `stream`). */
export const stream = (config: AppConfig): ContainerModule =>
  new ContainerModule((options) => {
    bindDynamoDbClient(options, config);
    options.bind<NotificationStream>(TOKENS.NotificationStream).toResolvedValue(
      (client: DynamoDBClient, clock: Clock) =>
        new DynamoDbNotificationStream({
          client,
          clock,
          tableName: required(config.notificationsTable, ENV.notificationsTable),
          retentionMs: config.streamRetentionMs,
        }),
      [TOKENS.DynamoDbClient, TOKENS.Clock],
    );
  });
