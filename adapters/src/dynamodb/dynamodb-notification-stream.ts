import {
  type AttributeValue,
  type CreateTableCommandInput,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type Appended,
  type Clock,
  decideReadSince,
  DEFAULT_REPLAY_LIMIT,
  DEFAULT_STREAM_RETENTION_MS,
  DomainError,
  MAX_PAYLOAD_BYTES,
  NO_EPOCH,
  type NotificationId,
  type NotificationStream,
  type ReadSinceOptions,
  type ReadSinceResult,
  type StreamNotification,
  type StreamPosition,
  TransientError,
  type UserId,
} from '@pushline/core';
import { createHash, randomBytes } from 'node:crypto';

/**
 * The notifications table, described once for tests, the local stack and `sst.config.ts`.
 *
 * - Partition key `userId` (string), sort key `seq` (number): one user's stream is one
 *   partition, read in order with one `Query`.
 * - `seq = 0` is the user's meta item: `top` (the last position given), `epoch`, and `recent`,
 *   the hashes of the user's last {@link RECENT_IDS} notification ids (the idempotency window).
 * - `seq ≥ 1`: one item per notification (`id`, `data` as JSON text, `at`, `epoch`).
 * - `expiresAt`: epoch **seconds**, the TTL attribute. A notification lives for the retention
 *   (24 h by default); the meta item for {@link META_RETENTION_MS} after the user's last
 *   notification, so a quiet user keeps its epoch and a client coming back finds its place.
 *   TTL deletion is lazy (typically within 48 h), so readers skip expired items themselves.
 */
export const NOTIFICATIONS_TABLE = {
  partitionKey: 'userId',
  sortKey: 'seq',
  /** Key attributes and their types, in SST's `fields` vocabulary. */
  fields: { userId: 'string', seq: 'number' },
  ttlAttribute: 'expiresAt',
} as const;

/** The `CreateTable` request for a notifications table named `tableName` (on-demand capacity). */
export function notificationsTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: NOTIFICATIONS_TABLE.partitionKey, AttributeType: 'S' },
      { AttributeName: NOTIFICATIONS_TABLE.sortKey, AttributeType: 'N' },
    ],
    KeySchema: [
      { AttributeName: NOTIFICATIONS_TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: NOTIFICATIONS_TABLE.sortKey, KeyType: 'RANGE' },
    ],
  };
}

/** How many recent ids a user's meta item remembers: appends of one of them are idempotent. */
export const RECENT_IDS = 64;

/** How long a meta item outlives the user's last notification: 30 days. */
export const META_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** Characters of one id hash in `recent` (48 bits, base64url). */
const HASH_LENGTH = 8;
const EMPTY_SLOT = '.'.repeat(HASH_LENGTH);
/** Appends that lost a race for the user's meta item before giving up (to the queue's retry). */
const MAX_ATTEMPTS = 16;
/** The longest wait, in milliseconds, after a lost race before the next attempt. */
const MAX_BACKOFF_MS = 100;

/** Options of {@link DynamoDbNotificationStream}. */
export interface DynamoDbNotificationStreamOptions {
  /** The DynamoDB client, built and configured by the caller; never destroyed here. */
  readonly client: DynamoDBClient;
  /** Name of a table laid out as {@link NOTIFICATIONS_TABLE} describes. */
  readonly tableName: string;
  /** Where "now" comes from: retention and TTLs are measured with it. */
  readonly clock: Clock;
  /** How long a notification stays replayable; default `DEFAULT_STREAM_RETENTION_MS` (24 h). */
  readonly retentionMs?: number;
}

type Item = Record<string, AttributeValue>;

interface Meta {
  readonly top: number;
  readonly epoch: string;
  readonly recent: string;
}

/**
 * Every user's notification stream in one DynamoDB table ({@link NOTIFICATIONS_TABLE}).
 * Keeps every guarantee of `NotificationStream`:
 *
 * - `append` reads the user's meta item (`GetItem`), then writes it (`PutItem` conditional on
 *   the `top` and `epoch` it read, so two appends never take one position) and then the
 *   notification (`PutItem`): exactly one counter write and one item write per notification,
 *   each 1 WRU when the item is under 1 KB. A lost race reads again (bounded, then a
 *   `TransientError` so the queue retries).
 * - Idempotent by id for the user's last {@link RECENT_IDS} notifications: the meta item holds
 *   a hash of each; a hit is checked against the stored item, and an item the first attempt
 *   never wrote (a fault between the two writes) is written by the retry at its position.
 * - `readSince` is one strongly consistent `GetItem` and, when something was missed, one
 *   strongly consistent `Query` of `seq > since` (more pages only past DynamoDB's 1 MB page).
 * - Only `ConditionalCheckFailedException` is handled; other SDK errors are rethrown as is.
 *
 * Limits: items are at most 400 KB
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html), far
 * above a notification frame (128 KiB); one partition takes 1,000 WRU/s, about 500
 * notifications a second to one user.
 *
 * @example
 * ```ts
 * const stream = new DynamoDbNotificationStream({ client: new DynamoDBClient({}), tableName: 'notifications', clock });
 * ```
 */
export class DynamoDbNotificationStream implements NotificationStream {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly clock: Clock;
  private readonly retentionMs: number;

  constructor(options: DynamoDbNotificationStreamOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.clock = options.clock;
    this.retentionMs = options.retentionMs ?? DEFAULT_STREAM_RETENTION_MS;
  }

  async append(
    userId: UserId,
    notification: { readonly id: NotificationId; readonly data: unknown },
  ): Promise<Appended> {
    const hash = hashOf(notification.id);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const now = this.clock.now();
      const { meta, item } = await this.readMeta(userId, now);
      if (meta !== null) {
        const seq = findRecent(meta, hash);
        if (seq !== null) {
          const found = await this.findAt(userId, seq, meta.epoch, notification, now);
          if (found !== null) return found;
        }
      }
      const seq = (meta?.top ?? 0) + 1;
      const epoch = meta?.epoch ?? newEpoch();
      const next = { top: seq, epoch, recent: remember(meta, seq, hash) };
      const written = await this.writeMeta(userId, item, next, now);
      if (!written) {
        // Concurrent appends for one user (a batch, several consumers) race for the meta item:
        // a random, growing wait spreads them out, so the losers do not collide again at once.
        await backOff(attempt);
        continue;
      }
      await this.writeItem(userId, seq, epoch, notification, now);
      return { epoch, seq, duplicate: false };
    }
    throw new TransientError(
      `the stream of user '${userId}' kept changing while a notification was appended`,
    );
  }

  async readSince(
    userId: UserId,
    since: StreamPosition | null,
    options: ReadSinceOptions = {},
  ): Promise<ReadSinceResult> {
    const limit = options.limit ?? DEFAULT_REPLAY_LIMIT;
    const now = this.clock.now();
    const { meta } = await this.readMeta(userId, now);
    const top = meta === null ? { epoch: NO_EPOCH, seq: 0 } : { epoch: meta.epoch, seq: meta.top };
    const from = since !== null && since.epoch === NO_EPOCH && since.seq === 0 ? 0 : since?.seq;
    const sameEpoch = since !== null && (since.epoch === top.epoch || from === 0);
    if (meta === null || from === undefined || !sameEpoch || from >= top.seq) {
      return decideReadSince(top, since, [], limit);
    }
    const after: StreamNotification[] = [];
    let bytes = 0;
    let start: Item | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#user = :user AND #seq > :since',
          ExpressionAttributeNames: {
            '#user': NOTIFICATIONS_TABLE.partitionKey,
            '#seq': NOTIFICATIONS_TABLE.sortKey,
          },
          ExpressionAttributeValues: { ':user': { S: userId }, ':since': { N: String(from) } },
          ConsistentRead: true,
          Limit: limit + 1 - after.length,
          ...(start === undefined ? {} : { ExclusiveStartKey: start }),
        }),
      );
      for (const item of page.Items ?? []) {
        const read = readNotification(item, meta.epoch, now, this.retentionMs);
        if (read === null) continue;
        bytes += read.size;
        after.push(read.notification);
      }
      // What has been read already cannot fit one reply frame: no need to read the rest.
      if (bytes > MAX_PAYLOAD_BYTES) return { recovered: false, ...top, reason: 'TOO_MANY' };
      start = page.LastEvaluatedKey;
    } while (start !== undefined && after.length <= limit);
    return decideReadSince(top, since, after, limit);
  }

  /**
   * The user's meta item as stored (`item`), and what it says (`meta`), which is `null` when
   * there is none or it has expired (TTL deletes lazily).
   */
  private async readMeta(
    userId: UserId,
    now: number,
  ): Promise<{ readonly meta: Meta | null; readonly item: Item | undefined }> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: keyOf(userId, 0), ConsistentRead: true }),
    );
    if (Item === undefined) return { meta: null, item: undefined };
    const top = Number(Item.top?.N);
    const epoch = Item.epoch?.S;
    const recent = Item.recent?.S;
    const expiresAt = Number(Item[NOTIFICATIONS_TABLE.ttlAttribute]?.N);
    if (
      !Number.isSafeInteger(top) ||
      epoch === undefined ||
      recent === undefined ||
      !Number.isFinite(expiresAt)
    ) {
      throw new DomainError('MALFORMED_RECORD', `the stream meta item of user '${userId}' is unreadable`);
    }
    // An expired meta item is a stream that no longer exists, even if DynamoDB still has it;
    // the next append replaces it (conditionally on what was read) under a new epoch.
    if (expiresAt * 1000 <= now) return { meta: null, item: Item };
    return { meta: { top, epoch, recent }, item: Item };
  }

  /** Writes the meta item if it is still what was read; says whether it was. */
  private async writeMeta(
    userId: UserId,
    previous: Item | undefined,
    next: Meta,
    now: number,
  ): Promise<boolean> {
    const ttl = Math.ceil((now + Math.max(META_RETENTION_MS, this.retentionMs)) / 1000);
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...keyOf(userId, 0),
            top: { N: String(next.top) },
            epoch: { S: next.epoch },
            recent: { S: next.recent },
            [NOTIFICATIONS_TABLE.ttlAttribute]: { N: String(ttl) },
          },
          ...(previous === undefined
            ? {
                ConditionExpression: 'attribute_not_exists(#top)',
                ExpressionAttributeNames: { '#top': 'top' },
              }
            : {
                ConditionExpression: '#top = :top AND #epoch = :epoch',
                ExpressionAttributeNames: { '#top': 'top', '#epoch': 'epoch' },
                ExpressionAttributeValues: {
                  ':top': previous.top ?? { N: '0' },
                  ':epoch': previous.epoch ?? { S: '' },
                },
              }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  private async writeItem(
    userId: UserId,
    seq: number,
    epoch: string,
    notification: { readonly id: NotificationId; readonly data: unknown },
    now: number,
  ): Promise<void> {
    // An unconditional put: an item left at this key by an expired stream of another epoch is
    // replaced, and a retry writing the same notification again writes the same item.
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          ...keyOf(userId, seq),
          id: { S: notification.id },
          data: { S: JSON.stringify(notification.data) },
          at: { N: String(now) },
          epoch: { S: epoch },
          [NOTIFICATIONS_TABLE.ttlAttribute]: { N: String(Math.ceil((now + this.retentionMs) / 1000)) },
        },
      }),
    );
  }

  /**
   * The position of a notification the meta item remembers: the stored one if its id matches
   * (a duplicate), written now if the first attempt never stored it, or `null` for a hash
   * collision with another id (then it is appended as new).
   */
  private async findAt(
    userId: UserId,
    seq: number,
    epoch: string,
    notification: { readonly id: NotificationId; readonly data: unknown },
    now: number,
  ): Promise<Appended | null> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: keyOf(userId, seq), ConsistentRead: true }),
    );
    if (Item !== undefined && Item.epoch?.S === epoch) {
      return Item.id?.S === notification.id ? { epoch, seq, duplicate: true } : null;
    }
    await this.writeItem(userId, seq, epoch, notification, now);
    return { epoch, seq, duplicate: false };
  }
}

/** The position whose slot holds `hash`, among the last {@link RECENT_IDS}, or `null`. */
function findRecent(meta: Meta, hash: string): number | null {
  for (let slot = 0; slot < RECENT_IDS; slot++) {
    if (meta.recent.slice(slot * HASH_LENGTH, (slot + 1) * HASH_LENGTH) !== hash) continue;
    // Slot k holds the newest position ≡ k (mod RECENT_IDS) that is not above the top.
    const seq = meta.top - ((((meta.top - slot) % RECENT_IDS) + RECENT_IDS) % RECENT_IDS);
    return seq >= 1 ? seq : null;
  }
  return null;
}

/** The `recent` ring with position `seq`'s slot set to `hash`. */
function remember(meta: Meta | null, seq: number, hash: string): string {
  const ring =
    meta !== null && meta.recent.length === RECENT_IDS * HASH_LENGTH
      ? meta.recent
      : EMPTY_SLOT.repeat(RECENT_IDS);
  const slot = seq % RECENT_IDS;
  return ring.slice(0, slot * HASH_LENGTH) + hash + ring.slice((slot + 1) * HASH_LENGTH);
}

function hashOf(id: NotificationId): string {
  return createHash('sha256').update(id, 'utf8').digest().subarray(0, 6).toString('base64url');
}

function newEpoch(): string {
  return randomBytes(12).toString('base64url');
}

function keyOf(userId: UserId, seq: number): Item {
  return {
    [NOTIFICATIONS_TABLE.partitionKey]: { S: userId },
    [NOTIFICATIONS_TABLE.sortKey]: { N: String(seq) },
  };
}

/** A stored notification of `epoch` that is still within retention, with its size; `null` otherwise. */
function readNotification(
  item: Item,
  epoch: string,
  now: number,
  retentionMs: number,
): { notification: StreamNotification; size: number } | null {
  const seq = Number(item[NOTIFICATIONS_TABLE.sortKey]?.N);
  const at = Number(item.at?.N);
  const id = item.id?.S;
  const data = item.data?.S;
  if (item.epoch?.S !== epoch) return null;
  if (!Number.isSafeInteger(seq) || id === undefined || data === undefined || !Number.isFinite(at)) {
    throw new DomainError('MALFORMED_RECORD', `a stored notification at seq ${String(seq)} is unreadable`);
  }
  if (at + retentionMs <= now) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch (error) {
    throw new DomainError('MALFORMED_RECORD', `the stored notification '${id}' has unreadable data`, {
      cause: error,
    });
  }
  return { notification: { id, seq, data: parsed }, size: data.length + id.length + 32 };
}

/** Compared by name, not `instanceof`: two copies of the SDK in one bundle must still match. */
function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** Waits a random time up to `min(MAX_BACKOFF_MS, 2^attempt ms)` (full jitter). */
function backOff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(MAX_BACKOFF_MS, 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
