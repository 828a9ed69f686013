import {
  CreateTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { countCalls } from '@pushline/adapters/aws';
import {
  DynamoDbNotificationStream,
  notificationsTableDefinition,
  RECENT_IDS,
} from '@pushline/adapters/dynamodb';
import { ManualClock } from '@pushline/adapters/memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeNotificationStreamContract } from '../contracts/notification-stream.contract.js';
import { freshScope } from '../support/arbitraries.js';
import { type Peer, startDynalite } from '../support/aws-peers.js';

const RETENTION_MS = 60_000;
const NOW = 1_764_000_000_000;

describeNotificationStreamContract('DynamoDbNotificationStream on dynalite', async () => {
  const peer = await startDynalite();
  await peer.client.send(new CreateTableCommand(notificationsTableDefinition('contract-notifications')));
  const clock = new ManualClock(NOW);
  return {
    stream: new DynamoDbNotificationStream({
      client: peer.client,
      tableName: 'contract-notifications',
      clock,
      retentionMs: RETENTION_MS,
    }),
    clock,
    retentionMs: RETENTION_MS,
    dispose: () => peer.close(),
  };
});

describe('DynamoDbNotificationStream on dynalite', () => {
  const tableName = 'notifications';
  let peer: Peer<DynamoDBClient>;
  let stream: DynamoDbNotificationStream;
  const clock = new ManualClock(NOW);

  beforeAll(async () => {
    peer = await startDynalite();
    await peer.client.send(new CreateTableCommand(notificationsTableDefinition(tableName)));
    stream = new DynamoDbNotificationStream({
      client: peer.client,
      tableName,
      clock,
      retentionMs: RETENTION_MS,
    });
  });
  afterAll(async () => {
    await peer.close();
  });

  it('costs one meta read, one counter write and one item write per notification', async () => {
    const user = freshScope().userId('cost');
    const calls = countCalls(peer.client);
    for (let i = 0; i < 20; i++)
      await stream.append(user, { id: `n-${i}`, data: { i, pad: 'x'.repeat(600) } });
    calls.detach();
    expect(calls.counts()).toEqual({ GetItem: 20, PutItem: 40 });
  });

  it('keeps the meta item and a 700-byte notification under 1 KB each (1 WRU per write)', async () => {
    const user = freshScope().userId('size');
    for (let i = 0; i < RECENT_IDS + 3; i++)
      await stream.append(user, { id: `export-${i}-${'x'.repeat(30)}`, data: i });
    await stream.append(user, { id: 'big', data: 'y'.repeat(700) });
    const size = async (seq: number): Promise<number> => {
      const { Item } = await peer.client.send(
        new GetItemCommand({ TableName: tableName, Key: { userId: { S: user }, seq: { N: String(seq) } } }),
      );
      let bytes = 0;
      for (const [name, value] of Object.entries(Item ?? {}))
        bytes += name.length + (value.S ?? value.N ?? '').length;
      return bytes;
    };
    expect(await size(0)).toBeLessThan(1024);
    expect(await size(RECENT_IDS + 4)).toBeLessThan(1024);
  });

  it('remembers the last RECENT_IDS ids: a redelivery of one of them reuses its position', async () => {
    const user = freshScope().userId('window');
    for (let i = 1; i <= RECENT_IDS + 5; i++) await stream.append(user, { id: `n-${i}`, data: i });
    const again = await stream.append(user, { id: `n-6`, data: 6 });
    expect(again).toMatchObject({ seq: 6, duplicate: true });
  });

  it('writes, on a retry, the item a first attempt never stored (a fault between the two writes)', async () => {
    const user = freshScope().userId('retry');
    const first = await stream.append(user, { id: 'a', data: 'a' });
    // The first attempt of 'b' moved the counter and died before its item was written.
    const crash = countCalls(peer.client);
    let failNext = false;
    peer.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (failNext && context.commandName === 'PutItemCommand') {
          const input = args.input as { Item?: { seq?: { N?: string } } };
          if (input.Item?.seq?.N !== '0') {
            failNext = false;
            throw new Error('the function timed out');
          }
        }
        return next(args);
      },
      { step: 'initialize', name: 'crashAfterMeta' },
    );
    failNext = true;
    await expect(stream.append(user, { id: 'b', data: 'b' })).rejects.toThrow('timed out');
    peer.client.middlewareStack.remove('crashAfterMeta');
    crash.detach();
    const retried = await stream.append(user, { id: 'b', data: 'b' });
    expect(retried).toEqual({ epoch: first.epoch, seq: 2, duplicate: false });
    const read = await stream.readSince(user, { epoch: first.epoch, seq: 0 });
    expect(read.recovered && read.notifications.map((n) => n.id)).toEqual(['a', 'b']);
  });

  it('starts a new epoch once the meta item has expired, even before DynamoDB deletes it', async () => {
    const user = freshScope().userId('expired');
    const local = new ManualClock(NOW);
    const short = new DynamoDbNotificationStream({
      client: peer.client,
      tableName,
      clock: local,
      retentionMs: 1_000,
    });
    const old = await short.append(user, { id: 'a', data: 1 });
    local.advance(31 * 24 * 60 * 60 * 1000);
    const fresh = await short.append(user, { id: 'a', data: 1 });
    expect(fresh.seq).toBe(1);
    expect(fresh.duplicate).toBe(false);
    expect(fresh.epoch).not.toBe(old.epoch);
    expect(await short.readSince(user, { epoch: old.epoch, seq: 1 })).toMatchObject({
      recovered: false,
      reason: 'STREAM_RESET',
    });
  });

  it('throws what DynamoDB throws (a missing table), never swallows it', async () => {
    const missing = new DynamoDbNotificationStream({
      client: peer.client,
      tableName: 'no-such-table',
      clock,
    });
    await expect(missing.append('u', { id: 'a', data: 1 })).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('refuses an unreadable meta item with MALFORMED_RECORD', async () => {
    const user = freshScope().userId('bad');
    await peer.client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { userId: { S: user }, seq: { N: '0' }, top: { S: 'x' } },
      }),
    );
    await expect(stream.readSince(user, null)).rejects.toMatchObject({ code: 'MALFORMED_RECORD' });
  });
});
