import {
  type AttributeValue,
  type ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type AssignUserOutcome,
  type Connection,
  type ConnectionId,
  type ConnectionPage,
  type ConnectionRepository,
  DEFAULT_PAGE_SIZE,
  DomainError,
  fail,
  type FindByUserOptions,
  type MalformedRecord,
  ok,
  type RemoveIfAnonymousResult,
  type RemoveIfConnectedBeforeResult,
  TransientError,
  type UserId,
} from '@pushline/core';
import { CONNECTIONS_TABLE } from './connections-table.js';

/** Largest page {@link DynamoDbConnectionRepository.findByUser} returns, whatever the limit asked. */
export const MAX_DYNAMODB_PAGE_SIZE = 1000;

/** Options of {@link DynamoDbConnectionRepository}. */
export interface DynamoDbConnectionRepositoryOptions {
  /**
   * The DynamoDB client, built and configured by the caller (region, endpoint, retries,
   * credentials), so tests and the local stack can point it at dynalite. The repository
   * never creates or destroys it. The SDK's own retry strategy handles throttling and 5xx.
   */
  readonly client: DynamoDBClient;
  /** Name of a table laid out as `CONNECTIONS_TABLE` describes (`createConnectionsTable` builds one). */
  readonly tableName: string;
}

type Item = Record<string, AttributeValue>;

const { partitionKey, byUserIndex, ttlAttribute, connectedAtAttribute } = CONNECTIONS_TABLE;
const userAttribute = byUserIndex.partitionKey;

/**
 * The connection registry in DynamoDB: one item per connection, a sparse `byUser` index
 * for the fan-out, and a TTL attribute so rows whose `$disconnect` never came are deleted
 * by DynamoDB itself. Keeps every guarantee of `ConnectionRepository`:
 *
 * - `save` is a `PutItem` (an idempotent upsert); `remove` a `DeleteItem` (idempotent,
 *   only that key).
 * - `removeIfAnonymous` is one conditional `DeleteItem`, so it never undoes a racing
 *   authorization; `removeIfConnectedBefore` one conditional on `connectedAt`.
 * - `assignUser` is one conditional `UpdateItem`: the condition, not a prior read, decides,
 *   so of two concurrent calls with different users exactly one wins. It returns
 *   `USER_CONFLICT` or `CONNECTION_NOT_FOUND`, never throws them.
 * - `findByUser` is one `Query` of the index per page (never a `Scan`), so a page costs
 *   what it returns. Items that cannot be read are reported in `malformed`.
 * - `find` reads with `ConsistentRead`, so a connection saved by `$connect` is seen by the
 *   next frame's route. An unreadable item there throws a `DomainError` with
 *   `MALFORMED_RECORD`, since `find` has no way to report it.
 * - Only `ConditionalCheckFailedException` is translated; every other SDK error
 *   (throttling after the SDK's retries, `ResourceNotFoundException`, …) is rethrown as is.
 *
 * Expiry is kept at second precision: `expiresAt` (epoch ms in the domain) is stored in
 * epoch seconds, rounded up, so a record is never forgotten before its time.
 *
 * Limits: items are at most 400 KB and a `Query` page at most 1 MB
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html);
 * a connection item is under 1 KB, so a page of {@link MAX_DYNAMODB_PAGE_SIZE} fits. Index
 * reads are eventually consistent on AWS: a connection authorized a moment ago may miss a
 * fan-out that is already running.
 *
 * @example
 * ```ts
 * const repository = new DynamoDbConnectionRepository({ client: new DynamoDBClient({}), tableName: 'connections' });
 * ```
 */
export class DynamoDbConnectionRepository implements ConnectionRepository {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;

  constructor(options: DynamoDbConnectionRepositoryOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async save(connection: Connection): Promise<void> {
    await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: toItem(connection) }));
  }

  async find(connectionId: ConnectionId): Promise<Connection | null> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: keyOf(connectionId), ConsistentRead: true }),
    );
    return Item === undefined ? null : readOrThrow(Item);
  }

  async remove(connectionId: ConnectionId): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: keyOf(connectionId) }));
  }

  async removeIfConnectedBefore(
    connectionId: ConnectionId,
    before: number,
  ): Promise<RemoveIfConnectedBeforeResult> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: keyOf(connectionId),
          // The record's age decides, in the write itself: a socket still connecting keeps it.
          ConditionExpression: '#connectedAt <= :before',
          ExpressionAttributeNames: { '#connectedAt': connectedAtAttribute },
          ExpressionAttributeValues: { ':before': { N: String(before) } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'removed';
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      // DynamoDB returns the young item; dynalite does not, so a read tells the two apart there.
      if (error.Item !== undefined) return 'kept';
      return (await this.find(connectionId)) === null ? 'not-found' : 'kept';
    }
  }

  async removeIfAnonymous(connectionId: ConnectionId): Promise<RemoveIfAnonymousResult> {
    // As in assignUser, the condition decides; a follow-up read only names why it failed.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.client.send(
          new DeleteItemCommand({
            TableName: this.tableName,
            Key: keyOf(connectionId),
            ConditionExpression: 'attribute_exists(#id) AND attribute_not_exists(#user)',
            ExpressionAttributeNames: { '#id': partitionKey, '#user': userAttribute },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return 'removed';
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
        const current = error.Item === undefined ? await this.find(connectionId) : readOrThrow(error.Item);
        if (current === null) return 'not-found';
        if (current.userId !== null) return 'authorized';
      }
    }
    throw new TransientError('the connection kept changing while its deadline was enforced');
  }

  async assignUser(connectionId: ConnectionId, userId: UserId): Promise<AssignUserOutcome> {
    // A failed condition says "not anonymous, not this user, or absent"; which one decides
    // the outcome. If the record was replaced by an anonymous one between the update and
    // the follow-up read, the update is worth another try: bounded, as it needs a race.
    for (let attempt = 0; attempt < 3; attempt++) {
      const old = await this.tryAssign(connectionId, userId);
      if (old.assigned !== null) return ok(old.assigned);
      const current = old.item === undefined ? await this.find(connectionId) : readOrThrow(old.item);
      if (current === null) return fail('CONNECTION_NOT_FOUND', 'no such connection');
      if (current.userId === userId) return ok(current);
      if (current.userId !== null) return fail('USER_CONFLICT', 'the connection belongs to another user');
    }
    throw new TransientError('the connection kept changing while it was being authorized');
  }

  async findByUser(userId: UserId, options: FindByUserOptions = {}): Promise<ConnectionPage> {
    const limit = Math.min(
      Math.max(1, Math.floor(options.limit ?? DEFAULT_PAGE_SIZE)),
      MAX_DYNAMODB_PAGE_SIZE,
    );
    const cursor = options.cursor ?? null;
    // One item more than the page tells whether another page exists, so the last page
    // carries a null cursor instead of a cursor to an empty page (one Query saved per walk).
    const response = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: byUserIndex.name,
        KeyConditionExpression: '#user = :user',
        ExpressionAttributeNames: { '#user': userAttribute },
        ExpressionAttributeValues: { ':user': { S: userId } },
        Limit: limit + 1,
        ...(cursor === null ? {} : { ExclusiveStartKey: decodeCursor(cursor, userId) }),
      }),
    );
    const items = response.Items ?? [];
    const pageItems = items.slice(0, limit);
    const connections: Connection[] = [];
    const malformed: MalformedRecord[] = [];
    for (const item of pageItems) {
      const read = readItem(item);
      if (read.ok) connections.push(read.connection);
      else malformed.push(read.record);
    }
    let next: string | null = null;
    const last = pageItems.at(-1);
    if (items.length > limit && last !== undefined) next = encodeCursor(indexKeyOf(last));
    // Fewer items than asked and a LastEvaluatedKey: DynamoDB stopped at its 1 MB page cap.
    else if (response.LastEvaluatedKey !== undefined) next = encodeCursor(response.LastEvaluatedKey);
    return { connections, cursor: next, malformed };
  }

  /** The conditional update; on a failed condition, the old item if the service returned it. */
  private async tryAssign(
    connectionId: ConnectionId,
    userId: UserId,
  ): Promise<{ assigned: Connection; item?: undefined } | { assigned: null; item: Item | undefined }> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyOf(connectionId),
          UpdateExpression: 'SET #user = :user',
          // attribute_exists: without it UpdateItem would create a record for an unknown id.
          ConditionExpression: 'attribute_exists(#id) AND (attribute_not_exists(#user) OR #user = :user)',
          ExpressionAttributeNames: { '#id': partitionKey, '#user': userAttribute },
          ExpressionAttributeValues: { ':user': { S: userId } },
          ReturnValues: 'ALL_NEW',
          // DynamoDB returns the item that failed the condition, saving the follow-up read;
          // dynalite ignores this, so the code below also works without it.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      if (Attributes === undefined) throw new Error('UpdateItem with ReturnValues ALL_NEW returned no item');
      return { assigned: readOrThrow(Attributes) };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      return { assigned: null, item: error.Item };
    }
  }
}

/** Compared by name, not `instanceof`: two copies of the SDK in one bundle must still match. */
function isConditionalCheckFailed(error: unknown): error is ConditionalCheckFailedException {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

function keyOf(connectionId: ConnectionId): Item {
  return { [partitionKey]: { S: connectionId } };
}

function toItem(connection: Connection): Item {
  const item: Item = {
    [partitionKey]: { S: connection.connectionId },
    [connectedAtAttribute]: { N: String(connection.connectedAt) },
    [ttlAttribute]: { N: String(Math.ceil(connection.expiresAt / 1000)) },
  };
  // No attribute at all for an anonymous connection: that keeps it out of the sparse index.
  if (connection.userId !== null) item[userAttribute] = { S: connection.userId };
  return item;
}

type ReadItem = { ok: true; connection: Connection } | { ok: false; record: MalformedRecord };

/** Reads an item by hand: four attributes don't need a marshalling library, and each check can name its fault. */
function readItem(item: Item): ReadItem {
  const id = item[partitionKey]?.S;
  const bad = (reason: string): ReadItem => ({ ok: false, record: { connectionId: id ?? '', reason } });
  if (id === undefined || id === '') return bad(`'${partitionKey}' is missing or not a string`);
  const user = item[userAttribute];
  if (user !== undefined && (user.S === undefined || user.S === '')) {
    return bad(`'${userAttribute}' is not a non-empty string`);
  }
  const connectedAt = readNumber(item[connectedAtAttribute]);
  if (connectedAt === null) return bad(`'${connectedAtAttribute}' is missing or not a number`);
  const expiresAtSeconds = readNumber(item[ttlAttribute]);
  if (expiresAtSeconds === null) return bad(`'${ttlAttribute}' is missing or not a number`);
  return {
    ok: true,
    connection: {
      connectionId: id,
      userId: user?.S ?? null,
      connectedAt,
      expiresAt: expiresAtSeconds * 1000,
    },
  };
}

function readNumber(value: AttributeValue | undefined): number | null {
  if (value?.N === undefined) return null;
  const number = Number(value.N);
  return Number.isFinite(number) ? number : null;
}

function readOrThrow(item: Item): Connection {
  const read = readItem(item);
  if (read.ok) return read.connection;
  throw new DomainError(
    'MALFORMED_RECORD',
    `connection record '${read.record.connectionId}' is unreadable: ${read.record.reason}`,
  );
}

/** The index's `ExclusiveStartKey` for an item: the table key plus the index key. */
function indexKeyOf(item: Item): Item {
  const key: Item = {};
  for (const name of [partitionKey, userAttribute]) {
    const value = item[name];
    if (value !== undefined) key[name] = value;
  }
  return key;
}

// The cursor is the start key as base64url JSON: opaque to callers, safe in a URL or a
// queue message, and checked on the way back so that a cursor cannot cross users.
function encodeCursor(key: Item): string {
  const connectionId = key[partitionKey]?.S ?? '';
  const userId = key[userAttribute]?.S ?? '';
  return Buffer.from(JSON.stringify([connectionId, userId]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, userId: UserId): Item {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw new RangeError('findByUser: the cursor is not one this repository returned', { cause: error });
  }
  if (
    !Array.isArray(decoded) ||
    decoded.length !== 2 ||
    typeof decoded[0] !== 'string' ||
    decoded[0] === '' ||
    decoded[1] !== userId
  ) {
    throw new RangeError('findByUser: the cursor is not one this repository returned for this user');
  }
  return { [partitionKey]: { S: decoded[0] }, [userAttribute]: { S: userId } };
}
