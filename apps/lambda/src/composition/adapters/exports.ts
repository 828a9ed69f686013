import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbExportRepository } from '@pushline/adapters/dynamodb';
import type { ExportRepository } from '@pushline/core';
import { ContainerModule } from 'inversify';
import { type AppConfig, ENV } from '../config.js';
import { required } from '../container.js';
import { TOKENS } from '../tokens.js';
import { bindDynamoDbClient } from './dynamodb-client.js';

/** The exports table: `ExportRepository` (need `exports`). */
export const exportRepository = (config: AppConfig): ContainerModule =>
  new ContainerModule((options) => {
    bindDynamoDbClient(options, config);
    options.bind<ExportRepository>(TOKENS.ExportRepository).toResolvedValue(
      (client: DynamoDBClient) =>
        new DynamoDbExportRepository({
          client,
          tableName: required(config.exportsTable, ENV.exportsTable),
        }),
      [TOKENS.DynamoDbClient],
    );
  });
