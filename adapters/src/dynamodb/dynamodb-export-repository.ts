import {
  type AttributeValue,
  type CreateTableCommandInput,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DomainError, type Export, type ExportRepository } from '@pushline/core';

/**
 * The exports table, described once for tests, the local stack and `sst.config.ts`: partition
 * key `exportId` (string), no index, TTL on `expiresAt` (epoch seconds).
 */
export const EXPORTS_TABLE = {
  partitionKey: 'exportId',
  /** Key attributes and their types, in SST's `fields` vocabulary. */
  fields: { exportId: 'string' },
  ttlAttribute: 'expiresAt',
} as const;

/** The `CreateTable` request for an exports table named `tableName` (on-demand capacity). */
export function exportsTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: EXPORTS_TABLE.partitionKey, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: EXPORTS_TABLE.partitionKey, KeyType: 'HASH' }],
  };
}

/** Options of {@link DynamoDbExportRepository}. */
export interface DynamoDbExportRepositoryOptions {
  /** The DynamoDB client, built and configured by the caller; never destroyed here. */
  readonly client: DynamoDBClient;
  /** Name of a table laid out as {@link EXPORTS_TABLE} describes. */
  readonly tableName: string;
}

/**
 * Exports in DynamoDB, one item each (items are at most 400 KB, so an export must be smaller).
 * `save` is a `PutItem`, `find` a consistent `GetItem`. `expiresAt` is stored in epoch seconds,
 * rounded up, for DynamoDB's TTL. An unreadable item throws a `DomainError` with
 * `MALFORMED_RECORD`; SDK errors are rethrown unchanged.
 */
export class DynamoDbExportRepository implements ExportRepository {
  constructor(private readonly options: DynamoDbExportRepositoryOptions) {}

  async save(value: Export): Promise<void> {
    await this.options.client.send(
      new PutItemCommand({
        TableName: this.options.tableName,
        Item: {
          exportId: { S: value.exportId },
          ownerId: { S: value.ownerId },
          createdAt: { N: String(value.createdAt) },
          expiresAt: { N: String(Math.ceil(value.expiresAt / 1000)) },
          contentType: { S: value.contentType },
          content: { S: value.content },
        },
      }),
    );
  }

  async find(exportId: string): Promise<Export | null> {
    const { Item } = await this.options.client.send(
      new GetItemCommand({
        TableName: this.options.tableName,
        Key: { exportId: { S: exportId } },
        ConsistentRead: true,
      }),
    );
    return Item === undefined ? null : fromItem(exportId, Item);
  }
}

function fromItem(exportId: string, item: Record<string, AttributeValue>): Export {
  const ownerId = item.ownerId?.S;
  const createdAt = Number(item.createdAt?.N);
  const expiresAt = Number(item.expiresAt?.N) * 1000;
  const contentType = item.contentType?.S;
  const content = item.content?.S;
  if (
    ownerId === undefined ||
    contentType === undefined ||
    content === undefined ||
    !Number.isFinite(createdAt) ||
    !Number.isFinite(expiresAt)
  ) {
    throw new DomainError('MALFORMED_RECORD', `export ${exportId} has missing or wrongly typed attributes`);
  }
  return { exportId, ownerId, createdAt, expiresAt, contentType, content };
}
