import {
  type CreateTableCommandInput,
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';

/**
 * The connections table, described once. Tests, the local stack (`apps/local`) and
 * `sst.config.ts` all build the table from this object, so the adapter and its
 * infrastructure cannot drift apart.
 *
 * - Partition key `connectionId` (string): `save`, `find`, `remove` and `assignUser` are
 *   single-item operations on it.
 * - Global secondary index `byUser`: partition key `userId`, sort key `connectionId`, all
 *   attributes projected. Anonymous connections have no `userId` attribute, so the index
 *   is sparse and never holds them. The sort key gives pages a stable order, so a walk
 *   with `ExclusiveStartKey` resumes exactly after the last connection it returned.
 * - `expiresAt`: a number of epoch **seconds**, the attribute DynamoDB's TTL deletes by
 *   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html). Deletion is
 *   best effort and can lag by days, so readers still skip expired rows themselves
 *   (NotifyUser does). TTL is switched on by the deployment (`ttl: 'expiresAt'` in SST);
 *   dynalite has no TTL operations, so {@link createConnectionsTable} does not try.
 */
export const CONNECTIONS_TABLE = {
  partitionKey: 'connectionId',
  /** Key attributes and their types, in SST's `fields` vocabulary. */
  fields: { connectionId: 'string', userId: 'string' },
  byUserIndex: { name: 'byUser', partitionKey: 'userId', sortKey: 'connectionId' },
  ttlAttribute: 'expiresAt',
  /** Other attributes of an item: not keys, so not declared to DynamoDB. */
  connectedAtAttribute: 'connectedAt',
  /** When the socket's authorization (its token) expires, in epoch milliseconds; absent while anonymous. */
  authExpiresAtAttribute: 'authExpiresAt',
} as const;

/** The `CreateTable` request for a connections table named `tableName` (on-demand capacity). */
export function connectionsTableDefinition(tableName: string): CreateTableCommandInput {
  const { partitionKey, byUserIndex } = CONNECTIONS_TABLE;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: partitionKey, AttributeType: 'S' },
      { AttributeName: byUserIndex.partitionKey, AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: byUserIndex.name,
        KeySchema: [
          { AttributeName: byUserIndex.partitionKey, KeyType: 'HASH' },
          { AttributeName: byUserIndex.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

/** Options of {@link createConnectionsTable}. */
export interface CreateConnectionsTableOptions {
  /** How many times to look for the table to become `ACTIVE` before giving up; default 100. */
  readonly maxPolls?: number;
  /** Wait between two looks, in ms; default 50. */
  readonly pollIntervalMs?: number;
}

/**
 * Creates the connections table and waits until it is `ACTIVE`. Idempotent: an existing
 * table is accepted if its key schema and `byUser` index match {@link CONNECTIONS_TABLE}, and
 * refused with an `Error` naming the difference otherwise (an old layout would make the
 * adapter fail later, in a less obvious place). For local peers and tests; on AWS the
 * deployment owns the table.
 */
export async function createConnectionsTable(
  client: DynamoDBClient,
  tableName: string,
  options: CreateConnectionsTableOptions = {},
): Promise<void> {
  try {
    await client.send(new CreateTableCommand(connectionsTableDefinition(tableName)));
  } catch (error) {
    // Someone (another test file, a previous dev run) created it first: check it instead.
    if (!(error instanceof Error && error.name === 'ResourceInUseException')) throw error;
  }
  const maxPolls = options.maxPolls ?? 100;
  for (let poll = 0; poll < maxPolls; poll++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table !== undefined) checkLayout(tableName, Table);
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, options.pollIntervalMs ?? 50));
  }
  throw new Error(`table ${tableName} did not become ACTIVE after ${maxPolls} polls`);
}

function checkLayout(tableName: string, table: TableDescription): void {
  const { partitionKey, byUserIndex } = CONNECTIONS_TABLE;
  const keys = (table.KeySchema ?? []).map((key) => `${key.AttributeName ?? ''}:${key.KeyType ?? ''}`);
  const index = table.GlobalSecondaryIndexes?.find((gsi) => gsi.IndexName === byUserIndex.name);
  const indexKeys = (index?.KeySchema ?? []).map((key) => `${key.AttributeName ?? ''}:${key.KeyType ?? ''}`);
  const expectedIndexKeys = [`${byUserIndex.partitionKey}:HASH`, `${byUserIndex.sortKey}:RANGE`];
  if (keys.join() !== `${partitionKey}:HASH` || indexKeys.join() !== expectedIndexKeys.join()) {
    throw new Error(
      `table ${tableName} exists with another layout: keys [${keys.join(', ')}], ` +
        `index ${byUserIndex.name} [${indexKeys.join(', ')}]`,
    );
  }
}
