import {
  type AttributeValue,
  CreateTableCommand,
  DynamoDBClient,
  type UpdateItemCommandInput,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { countCalls } from '@pushline/adapters/aws';
import {
  CONNECTIONS_TABLE,
  createConnectionsTable,
  DynamoDbConnectionRepository,
  MAX_DYNAMODB_PAGE_SIZE,
} from '@pushline/adapters/dynamodb';
import { InMemoryTokenVerifier, ManualClock } from '@pushline/adapters/memory';
import { Connect, DEFAULT_CONNECTION_TTL_MS, hasErrorCode } from '@pushline/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeConnectionRepositoryContract,
  walkUser,
} from '../contracts/connection-repository.contract.js';
import { connectionOf, freshScope } from '../support/arbitraries.js';
import { type Peer, startDynalite } from '../support/aws-peers.js';

describeConnectionRepositoryContract('DynamoDbConnectionRepository on dynalite', async () => {
  const peer = await startDynalite();
  await createConnectionsTable(peer.client, 'contract-connections');
  return {
    repository: new DynamoDbConnectionRepository({ client: peer.client, tableName: 'contract-connections' }),
    dispose: () => peer.close(),
  };
});

describe('DynamoDbConnectionRepository on dynalite', () => {
  const tableName = 'connections';
  let peer: Peer<DynamoDBClient>;
  let repository: DynamoDbConnectionRepository;

  beforeAll(async () => {
    peer = await startDynalite();
    await createConnectionsTable(peer.client, tableName);
    repository = new DynamoDbConnectionRepository({ client: peer.client, tableName });
  });

  afterAll(async () => {
    await peer.close();
  });

  const rawItem = async (connectionId: string) =>
    (
      await peer.client.send(
        new GetItemCommand({ TableName: tableName, Key: { connectionId: { S: connectionId } } }),
      )
    ).Item;

  /** Saves `count` connections of one user, a few at a time (dynalite is one process; so is the test). */
  const saveMany = async (userId: string, count: number, scope = freshScope()): Promise<string[]> => {
    const ids = Array.from({ length: count }, (_, i) => scope.connectionId(String(i).padStart(5, '0')));
    for (let start = 0; start < ids.length; start += 50) {
      await Promise.all(
        ids
          .slice(start, start + 50)
          .map((id) => repository.save(connectionOf(id, userId, { connectedAt: 1_000, expiresAt: 9_000 }))),
      );
    }
    return ids;
  };

  describe('item shape', () => {
    it('stores an anonymous connection as connectionId (S), connectedAt (N, ms), expiresAt (N, s) and no userId', async () => {
      const scope = freshScope();
      const connection = connectionOf(scope.connectionId('anon'), null, {
        connectedAt: 1_700_000_000_123,
        expiresAt: 1_700_007_800_000,
      });
      await repository.save(connection);
      expect(await rawItem(connection.connectionId)).toEqual({
        connectionId: { S: connection.connectionId },
        connectedAt: { N: '1700000000123' },
        expiresAt: { N: '1700007800' },
      });
    });

    it('adds userId (S) once the connection is authorized, and changes nothing else', async () => {
      const scope = freshScope();
      const connection = connectionOf(scope.connectionId('auth'), null, {
        connectedAt: 1_700_000_000_123,
        expiresAt: 1_700_007_800_000,
      });
      await repository.save(connection);
      await repository.assignUser(connection.connectionId, scope.userId('1234'));
      expect(await rawItem(connection.connectionId)).toEqual({
        connectionId: { S: connection.connectionId },
        userId: { S: scope.userId('1234') },
        connectedAt: { N: '1700000000123' },
        expiresAt: { N: '1700007800' },
      });
    });

    it('names its attributes and index as CONNECTIONS_TABLE does', () => {
      expect(CONNECTIONS_TABLE).toMatchObject({
        partitionKey: 'connectionId',
        byUserIndex: { name: 'byUser', partitionKey: 'userId', sortKey: 'connectionId' },
        ttlAttribute: 'expiresAt',
      });
    });
  });

  describe('TTL attribute', () => {
    it('writes the default TTL of Connect (connect time + 2 h + margin) as epoch seconds', async () => {
      const clock = new ManualClock(1_764_000_000_000);
      const connect = new Connect(repository, new InMemoryTokenVerifier(), clock, { allowAnonymous: true });
      const connectionId = freshScope().connectionId('ttl');
      const outcome = await connect.execute({ connectionId });
      expect(outcome.ok).toBe(true);
      const item = await rawItem(connectionId);
      expect(item?.expiresAt).toEqual({ N: String((1_764_000_000_000 + DEFAULT_CONNECTION_TTL_MS) / 1000) });
    });

    it('rounds a millisecond expiry up to the next second, so a record never expires early', async () => {
      const connection = connectionOf(freshScope().connectionId('round'), null, {
        connectedAt: 1_000,
        expiresAt: 1_700_000_000_001,
      });
      await repository.save(connection);
      expect((await rawItem(connection.connectionId))?.expiresAt).toEqual({ N: '1700000001' });
      expect((await repository.find(connection.connectionId))?.expiresAt).toBe(1_700_000_001_000);
    });
  });

  describe('findByUser at scale', () => {
    it('walks a user of 2,500 connections with one Query per page and every connection once', async () => {
      const scope = freshScope();
      const user = scope.userId('crowd');
      const ids = await saveMany(user, 2_500, scope);
      const calls = countCalls(peer.client);
      try {
        for (const limit of [100, 5_000]) {
          calls.reset();
          const pages = await walkUser(repository, user, limit);
          const found = pages.flatMap((page) => page.connections.map((c) => c.connectionId));
          expect(found).toHaveLength(2_500);
          expect(new Set(found)).toEqual(new Set(ids));
          const pageSize = Math.min(limit, MAX_DYNAMODB_PAGE_SIZE);
          expect(pages.map((page) => page.connections.length)).toEqual(
            Array.from({ length: Math.ceil(2_500 / pageSize) }, (_, i) =>
              Math.min(pageSize, 2_500 - i * pageSize),
            ),
          );
          expect(calls.counts()).toEqual({ Query: Math.ceil(2_500 / pageSize) });
        }
      } finally {
        calls.detach();
      }
    }, 60_000);
  });

  describe('assignUser races', () => {
    it('lets exactly one of five users win each of ten connections authorized at once', async () => {
      const scope = freshScope();
      const ids = Array.from({ length: 10 }, (_, i) => scope.connectionId(`race${i}`));
      for (const id of ids)
        await repository.save(connectionOf(id, null, { connectedAt: 1_000, expiresAt: 9_000 }));
      const users = [0, 1, 2, 3, 4].map((u) => scope.userId(`user${u}`));
      const outcomes = await Promise.all(
        ids.flatMap((id) =>
          users.map(async (user) => ({ id, outcome: await repository.assignUser(id, user) })),
        ),
      );
      for (const id of ids) {
        const mine = outcomes.filter((o) => o.id === id).map((o) => o.outcome);
        const winners = mine.flatMap((outcome) => (outcome.ok ? [outcome.value.userId] : []));
        const codes = mine.flatMap((outcome) => (outcome.ok ? [] : [outcome.error.code]));
        expect(winners).toHaveLength(1);
        expect(codes).toEqual(['USER_CONFLICT', 'USER_CONFLICT', 'USER_CONFLICT', 'USER_CONFLICT']);
        expect((await repository.find(id))?.userId).toBe(winners[0]);
      }
    });
  });

  describe('malformed records', () => {
    it('reports rows with missing or wrongly typed attributes in malformed, next to the good ones', async () => {
      const scope = freshScope();
      const user = scope.userId('mixed');
      const good = connectionOf(scope.connectionId('good'), user, { connectedAt: 1_000, expiresAt: 9_000 });
      await repository.save(good);
      const put = (item: Record<string, AttributeValue>) =>
        peer.client.send(new PutItemCommand({ TableName: tableName, Item: item }));
      await put({
        connectionId: { S: scope.connectionId('no-expiry') },
        userId: { S: user },
        connectedAt: { N: '1000' },
      });
      await put({
        connectionId: { S: scope.connectionId('string-time') },
        userId: { S: user },
        connectedAt: { S: 'yesterday' },
        expiresAt: { N: '9' },
      });
      const page = await repository.findByUser(user);
      expect(page.connections).toEqual([good]);
      expect([...page.malformed].sort((a, b) => a.connectionId.localeCompare(b.connectionId))).toEqual([
        { connectionId: scope.connectionId('no-expiry'), reason: "'expiresAt' is missing or not a number" },
        {
          connectionId: scope.connectionId('string-time'),
          reason: "'connectedAt' is missing or not a number",
        },
      ]);
      expect(page.cursor).toBeNull();
    });

    it('throws MALFORMED_RECORD from find, which has nowhere to report it', async () => {
      const connectionId = freshScope().connectionId('broken');
      await peer.client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { connectionId: { S: connectionId }, connectedAt: { N: '1' } },
        }),
      );
      const error: unknown = await repository.find(connectionId).catch((e: unknown) => e);
      expect(hasErrorCode(error, 'MALFORMED_RECORD')).toBe(true);
    });
  });

  describe('assignUser on the AWS path', () => {
    it('decides from the item DynamoDB returns with the failed condition, without a follow-up read', async () => {
      // dynalite ignores ReturnValuesOnConditionCheckFailure; this client adds the item to
      // the exception the way DynamoDB does, read through a second client so that read is
      // not counted.
      const reader = new DynamoDBClient({
        endpoint: peer.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
      });
      const client = new DynamoDBClient({
        endpoint: peer.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
      });
      client.middlewareStack.add(
        (next, context) => async (args) => {
          try {
            return await next(args);
          } catch (error) {
            const input = args.input as UpdateItemCommandInput;
            if (
              context.commandName === 'UpdateItemCommand' &&
              input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' &&
              error instanceof Error &&
              error.name === 'ConditionalCheckFailedException'
            ) {
              const { Item } = await reader.send(
                new GetItemCommand({ TableName: input.TableName, Key: input.Key, ConsistentRead: true }),
              );
              if (Item !== undefined) Object.assign(error, { Item });
            }
            throw error;
          }
        },
        { step: 'initialize', name: 'returnOldItemOnConditionFailure' },
      );
      const onAws = new DynamoDbConnectionRepository({ client, tableName });
      const calls = countCalls(client);
      try {
        const scope = freshScope();
        const connection = connectionOf(scope.connectionId('owned'), scope.userId('owner'), {
          connectedAt: 1_000,
          expiresAt: 9_000,
        });
        await repository.save(connection);
        const conflict = await onAws.assignUser(connection.connectionId, scope.userId('intruder'));
        expect(conflict.ok ? null : conflict.error.code).toBe('USER_CONFLICT');
        expect(calls.counts()).toEqual({ UpdateItem: 1 });
        calls.reset();
        // DynamoDB returns no item for a missing key, so only then is a read needed.
        const missing = await onAws.assignUser(scope.connectionId('missing'), scope.userId('owner'));
        expect(missing.ok ? null : missing.error.code).toBe('CONNECTION_NOT_FOUND');
        expect(calls.counts()).toEqual({ UpdateItem: 1, GetItem: 1 });
      } finally {
        client.destroy();
        reader.destroy();
      }
    });
  });

  describe('cursors and faults', () => {
    it('refuses a cursor of another user, or one it never made, with a RangeError', async () => {
      const scope = freshScope();
      await saveMany(scope.userId('a'), 3, scope);
      const first = await repository.findByUser(scope.userId('a'), { limit: 1 });
      expect(first.cursor).not.toBeNull();
      await expect(repository.findByUser(scope.userId('b'), { cursor: first.cursor })).rejects.toThrow(
        RangeError,
      );
      await expect(repository.findByUser(scope.userId('a'), { cursor: 'not a cursor' })).rejects.toThrow(
        RangeError,
      );
    });

    it('rethrows SDK errors other than a failed condition unchanged', async () => {
      const missing = new DynamoDbConnectionRepository({ client: peer.client, tableName: 'no-such-table' });
      await expect(missing.find('x')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
      await expect(missing.assignUser('x', 'u')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
      await expect(missing.findByUser('u')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    });
  });

  describe('createConnectionsTable', () => {
    it('is idempotent', async () => {
      await createConnectionsTable(peer.client, tableName);
      await createConnectionsTable(peer.client, tableName);
    });

    it('refuses an existing table with another layout', async () => {
      await peer.client.send(
        new CreateTableCommand({
          TableName: 'old-layout',
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await expect(createConnectionsTable(peer.client, 'old-layout')).rejects.toThrow(/another layout/);
    });
  });
});
