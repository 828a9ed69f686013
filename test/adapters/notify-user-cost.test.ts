// The cost shape of the fan-out on real peers: NotifyUser wired to DynamoDB (dynalite) and
// SQS (local-aws-sqs), with every SDK call counted by operation. For K connections it must
// append to the user's stream (one meta read, one counter write and one item write), read one
// Query per page and send ⌈K/10⌉ SendMessageBatch calls, and nothing else, and every
// NotifyConnection message it sent must really be in the queue.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type CallCounter, countCalls } from '@pushline/adapters/aws';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import {
  createConnectionsTable,
  DynamoDbConnectionRepository,
  DynamoDbNotificationStream,
  notificationsTableDefinition,
} from '@pushline/adapters/dynamodb';
import { ManualClock } from '@pushline/adapters/memory';
import { SqsMessageQueue } from '@pushline/adapters/sqs';
import { DEFAULT_PAGE_SIZE, MAX_QUEUE_BATCH, NotifyUser } from '@pushline/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionOf, freshScope } from '../support/arbitraries.js';
import { type LocalQueue, type Peer, type SqsPeer, startDynalite, startSqs } from '../support/aws-peers.js';

const NOW = 1_764_000_000_000;

describe('NotifyUser on DynamoDB and SQS', () => {
  let dynamo: Peer<DynamoDBClient>;
  let sqs: SqsPeer;
  let notifyConnection: LocalQueue;
  let repository: DynamoDbConnectionRepository;
  let queue: SqsMessageQueue;
  let dynamoCalls: CallCounter;
  let sqsCalls: CallCounter;

  beforeAll(async () => {
    [dynamo, sqs] = await Promise.all([startDynalite(), startSqs()]);
    await createConnectionsTable(dynamo.client, 'connections');
    await dynamo.client.send(new CreateTableCommand(notificationsTableDefinition('notifications')));
    const notifyUser = await sqs.createQueue('notify-user', { dlq: { maxReceiveCount: 3 } });
    notifyConnection = await sqs.createQueue('notify-connection', { dlq: { maxReceiveCount: 3 } });
    repository = new DynamoDbConnectionRepository({ client: dynamo.client, tableName: 'connections' });
    queue = new SqsMessageQueue({
      client: sqs.client,
      notifyUserQueueUrl: notifyUser.url,
      notifyConnectionQueueUrl: notifyConnection.url,
    });
    dynamoCalls = countCalls(dynamo.client);
    sqsCalls = countCalls(sqs.client);
  });

  afterAll(async () => {
    await Promise.all([dynamo.close(), sqs.close()]);
  });

  // NotifyUser only reads the registry, so cases with the same K share one population (and
  // one stream: the second notification of a user gets seq 2).
  const notified = new Map<string, number>();
  const populations = new Map<number, Promise<{ userId: string; ids: string[] }>>();
  const populated = (k: number): Promise<{ userId: string; ids: string[] }> => {
    let population = populations.get(k);
    if (population === undefined) {
      population = populate(k);
      populations.set(k, population);
    }
    return population;
  };

  /** K live connections of a fresh user, plus an anonymous one and another user's, which must cost nothing. */
  const populate = async (k: number): Promise<{ userId: string; ids: string[] }> => {
    const scope = freshScope();
    const userId = scope.userId('fan');
    const times = { connectedAt: NOW - 1_000, expiresAt: NOW + 3_600_000 };
    const ids = Array.from({ length: k }, (_, i) => scope.connectionId(String(i).padStart(5, '0')));
    const all = [
      ...ids.map((id) => connectionOf(id, userId, times)),
      connectionOf(scope.connectionId('anonymous'), null, times),
      connectionOf(scope.connectionId('stranger'), scope.userId('other'), times),
    ];
    for (let start = 0; start < all.length; start += 50) {
      await Promise.all(all.slice(start, start + 50).map((connection) => repository.save(connection)));
    }
    return { userId, ids };
  };

  it.each([
    { k: 0, pageSize: DEFAULT_PAGE_SIZE },
    { k: 1, pageSize: DEFAULT_PAGE_SIZE },
    { k: 9, pageSize: DEFAULT_PAGE_SIZE },
    { k: 10, pageSize: DEFAULT_PAGE_SIZE },
    { k: 11, pageSize: DEFAULT_PAGE_SIZE },
    { k: 11, pageSize: 5 },
    { k: 2_500, pageSize: DEFAULT_PAGE_SIZE },
    { k: 2_500, pageSize: 1_000 },
  ])(
    'reaches $k connections (pages of $pageSize) with one Query per page and ⌈K/10⌉ SendMessageBatch',
    async ({ k, pageSize }) => {
      const { userId, ids } = await populated(k);
      await sqs.drain(notifyConnection.url);
      const seq = (notified.get(userId) ?? 0) + 1;
      notified.set(userId, seq);
      const clock = new ManualClock(NOW);
      const stream = new DynamoDbNotificationStream({
        client: dynamo.client,
        tableName: 'notifications',
        clock,
      });
      const notifyUser = new NotifyUser(repository, queue, clock, stream, { pageSize });
      dynamoCalls.reset();
      sqsCalls.reset();

      const outcome = await notifyUser.execute({
        message: { userId, data: { kind: 'export.ready', k } },
        messageId: `m-${k}-${pageSize}`,
      });

      const pages = Math.max(1, Math.ceil(k / pageSize));
      const batches = Math.ceil(k / MAX_QUEUE_BATCH);
      // The stream's append: one meta read, one counter write, one item write (1 WRU each under 1 KB).
      expect(dynamoCalls.counts()).toEqual({ GetItem: 1, PutItem: 2, Query: pages });
      expect(sqsCalls.counts()).toEqual(batches === 0 ? {} : { SendMessageBatch: batches });
      expect(outcome).toEqual({
        ok: true,
        value: {
          notificationId: `m-${k}-${pageSize}`,
          seq,
          epoch: outcome.ok ? outcome.value.epoch : '',
          duplicate: false,
          enqueued: k,
          pushed: 0,
          gone: 0,
          refused: 0,
          connecting: 0,
          batches,
          pages,
          expired: 0,
          malformed: [],
        },
      });
      const received = (await sqs.drain(notifyConnection.url)).map(
        (m) => JSON.parse(m.Body ?? 'null') as unknown,
      );
      expect(received).toHaveLength(k);
      const expected = ids.map((connectionId) => ({
        connectionId,
        data: { kind: 'export.ready', k },
        id: `m-${k}-${pageSize}`,
        seq,
        epoch: outcome.ok ? outcome.value.epoch : '',
      }));
      const byConnection = (a: unknown, b: unknown): number =>
        (a as { connectionId: string }).connectionId.localeCompare(
          (b as { connectionId: string }).connectionId,
        );
      expect(received.sort(byConnection)).toEqual(expected.sort(byConnection));
    },
    60_000,
  );
});
