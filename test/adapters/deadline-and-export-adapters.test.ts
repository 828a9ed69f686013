import { CreateTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbExportRepository, exportsTableDefinition } from '@pushline/adapters/dynamodb';
import { InMemoryExportRepository, ManualClock } from '@pushline/adapters/memory';
import { SqsDeadlineScheduler } from '@pushline/adapters/sqs';
import { type Export, type ExportRepository, hasErrorCode, parseDeadlineMessage } from '@pushline/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalQueue, type Peer, type SqsPeer, startDynalite, startSqs } from '../support/aws-peers.js';

const NOW = 1_700_000_000_000;

const sample = (exportId: string, expiresAt = NOW + 60_500): Export => ({
  exportId,
  ownerId: 'u1',
  createdAt: NOW,
  expiresAt,
  contentType: 'application/json',
  content: '{"rows":[1,2,3]}',
});

describe.each([
  ['InMemoryExportRepository', () => Promise.resolve(new InMemoryExportRepository())],
  [
    'DynamoDbExportRepository on dynalite',
    async () => {
      const table = `exports-${Math.random().toString(36).slice(2)}`;
      await dynamo.client.send(new CreateTableCommand(exportsTableDefinition(table)));
      return new DynamoDbExportRepository({ client: dynamo.client, tableName: table });
    },
  ],
] as const)('%s', (_, make: () => Promise<ExportRepository>) => {
  it('finds what it saved, replaces on a second save, and answers null for an unknown id', async () => {
    const repository = await make();
    await repository.save(sample('e-1', NOW + 60_000));
    await repository.save({ ...sample('e-1', NOW + 60_000), content: '{}' });
    expect(await repository.find('e-1')).toEqual({ ...sample('e-1', NOW + 60_000), content: '{}' });
    expect(await repository.find('e-2')).toBeNull();
  });
});

let dynamo: Peer<DynamoDBClient>;
let sqs: SqsPeer;
let deadlines: LocalQueue;

beforeAll(async () => {
  [dynamo, sqs] = await Promise.all([startDynalite(), startSqs()]);
  deadlines = await sqs.createQueue('deadlines-adapter-test');
});

afterAll(async () => {
  await Promise.all([dynamo.close(), sqs.close()]);
});

describe('DynamoDbExportRepository on dynalite', () => {
  it('stores the expiry in epoch seconds, rounded up, for the TTL', async () => {
    await dynamo.client.send(new CreateTableCommand(exportsTableDefinition('exports-ttl')));
    const repository = new DynamoDbExportRepository({ client: dynamo.client, tableName: 'exports-ttl' });
    await repository.save(sample('e-1', NOW + 60_500));
    expect((await repository.find('e-1'))?.expiresAt).toBe(NOW + 61_000);
  });

  it('throws MALFORMED_RECORD for an item it cannot read', async () => {
    await dynamo.client.send(new CreateTableCommand(exportsTableDefinition('exports-bad')));
    await dynamo.client.send(
      new PutItemCommand({ TableName: 'exports-bad', Item: { exportId: { S: 'e-1' }, ownerId: { N: '1' } } }),
    );
    const repository = new DynamoDbExportRepository({ client: dynamo.client, tableName: 'exports-bad' });
    const error = await repository.find('e-1').catch((caught: unknown) => caught);
    expect(hasErrorCode(error, 'MALFORMED_RECORD')).toBe(true);
  });
});

describe('SqsDeadlineScheduler on local-aws-sqs', () => {
  it('sends the deadline as a message delayed until it passes, readable by parseDeadlineMessage', async () => {
    const clock = new ManualClock(NOW);
    const scheduler = new SqsDeadlineScheduler({ client: sqs.client, queueUrl: deadlines.url, clock });
    await scheduler.schedule({ connectionId: 'c1', at: NOW });
    const [message] = await sqs.drain(deadlines.url);
    expect(parseDeadlineMessage(message?.Body ?? '')).toEqual({
      ok: true,
      value: { connectionId: 'c1', at: NOW },
    });
  });

  it('sends a token expiry check with its kind and expiry, readable by parseDeadlineMessage', async () => {
    const clock = new ManualClock(NOW);
    const scheduler = new SqsDeadlineScheduler({ client: sqs.client, queueUrl: deadlines.url, clock });
    const check = { kind: 'token-expiry', connectionId: 'c3', at: NOW, expiresAt: NOW + 3_600_000 } as const;
    await scheduler.schedule(check);
    const [message] = await sqs.drain(deadlines.url);
    expect(parseDeadlineMessage(message?.Body ?? '')).toEqual({ ok: true, value: check });
  });

  it('refuses a deadline further away than SQS can delay (900 s) before sending anything', async () => {
    const clock = new ManualClock(NOW);
    const scheduler = new SqsDeadlineScheduler({ client: sqs.client, queueUrl: deadlines.url, clock });
    await expect(scheduler.schedule({ connectionId: 'c1', at: NOW + 900_001 })).rejects.toThrow(RangeError);
    await scheduler.schedule({ connectionId: 'c2', at: NOW + 900_000 });
    expect(await sqs.drain(deadlines.url)).toEqual([]);
  });
});
