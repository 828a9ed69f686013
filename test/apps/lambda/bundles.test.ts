// The bundled handlers (esbuild as SST runs it) against real protocol peers: dynalite,
// local-aws-sqs, and the local API Gateway invoking them with API Gateway's event shapes.
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import {
  createConnectionsTable,
  DynamoDbConnectionRepository,
  exportsTableDefinition,
  notificationsTableDefinition,
} from '@pushline/adapters/dynamodb';
import { ENV } from '@pushline/lambda/config';
import { CONNECT_AUTHORIZER, WEB_SOCKET_ROUTES } from '@pushline/lambda/topology';
import { type LocalGateway, type LocalGatewayRoutes, startLocalGateway } from '@pushline/local';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LocalQueue,
  type Peer,
  type SqsPeer,
  startDynalite,
  startSqs,
} from '../../support/aws-peers.js';
import { connect, refusedStatus, type TestClient } from '../../support/local-gateway.js';
import { captureLogs } from '../../support/logs.js';
import {
  buildTestBundles,
  consumeOnce,
  httpEvent,
  importBundle,
  lambdaContext,
  redeliver,
  type SqsHandler,
  type TestBundles,
} from './support.js';

interface Result {
  readonly statusCode: number;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
}
type Invoke<R> = (event: never, context: never) => Promise<R>;
interface Module<H> {
  readonly handler: H;
}

const SECRET = 'bundled-handlers-test-secret-of-32-bytes-or-more';
const env: Record<string, string> = {};
const saved: Record<string, string | undefined> = {};
let bundles: TestBundles;
let dynamo: Peer<DynamoDBClient>;
let sqs: SqsPeer;
let queues: { notifyUser: LocalQueue; notifyConnection: LocalQueue; deadlines: LocalQueue };
let either: LocalGateway;
let connectMode: LocalGateway;
let logs: ReturnType<typeof captureLogs>;
/** The delivery metrics the bundles wrote (CloudWatch embedded metric format), in order. */
const metricLines = (): Record<string, unknown>[] => logs.lines.filter((line) => '_aws' in line);
const metricsSince = (count: number): Record<string, unknown>[] => metricLines().slice(count);
const handlers: Record<string, Invoke<unknown>> = {};
const opened: TestClient[] = [];
let anonymousConnects = 0;
/** Answered instead of every `@connections` request of the `either` gateway while set. */
let managementFault: { statusCode: number; errorType: string } | undefined;

function setEnv(values: Record<string, string>): void {
  for (const [name, value] of Object.entries(values)) {
    if (!(name in saved)) saved[name] = process.env[name];
    process.env[name] = value;
    env[name] = value;
  }
}

async function load(name: string, instance = 'default'): Promise<Invoke<unknown>> {
  const file = bundles.files[name];
  if (file === undefined) throw new Error(`no bundle for ${name}`);
  return (await importBundle<Module<Invoke<unknown>>>(file, instance)).handler;
}

function call<R>(name: string): (event: unknown, context?: unknown) => Promise<R> {
  return (event, context) => {
    const handler = handlers[name] as ((event: unknown, context: unknown) => Promise<R>) | undefined;
    if (handler === undefined) throw new Error(`handler ${name} is not loaded`);
    return handler(event, context ?? lambdaContext(name));
  };
}

const sqsHandler = (name: string): SqsHandler => call(name);

async function open(gateway: LocalGateway, query?: string): Promise<TestClient> {
  const client = await connect(gateway, query === undefined ? {} : { query });
  opened.push(client);
  return client;
}

async function tokenFor(userId: string): Promise<string> {
  const result = await call<Result>('token')(
    httpEvent('POST /token', '/token', { body: JSON.stringify({ userId }) }),
  );
  expect(result.statusCode).toBe(200);
  return (JSON.parse(result.body ?? '{}') as { token: string }).token;
}

async function deliverNotifyUser(userId: string, data: unknown, sockets: number): Promise<void> {
  await sqs.client.send(
    new SendMessageCommand({
      QueueUrl: queues.notifyUser.url,
      MessageBody: JSON.stringify({ userId, data }),
    }),
  );
  const fanOut = await consumeOnce(sqs.client, queues.notifyUser, sqsHandler('notify-user'), 1);
  expect(fanOut.response).toEqual({ batchItemFailures: [] });
  const pushed = await consumeOnce(
    sqs.client,
    queues.notifyConnection,
    sqsHandler('notify-connection'),
    sockets,
  );
  expect(pushed.response).toEqual({ batchItemFailures: [] });
}

/** The topology's WebSocket routes, `$connect` run by the bundle loaded as `connectHandler`. */
const wsRoutes = (connectHandler: string): LocalGatewayRoutes =>
  Object.fromEntries(
    WEB_SOCKET_ROUTES.map(({ key, entry, twoWay }) => [
      key,
      { handler: call(key === '$connect' ? connectHandler : entry), twoWay, functionName: entry },
    ]),
  );

beforeAll(async () => {
  [bundles, dynamo, sqs] = await Promise.all([buildTestBundles(), startDynalite(), startSqs()]);
  await createConnectionsTable(dynamo.client, 'connections');
  await dynamo.client.send(new CreateTableCommand(exportsTableDefinition('exports')));
  await dynamo.client.send(new CreateTableCommand(notificationsTableDefinition('notifications')));
  queues = {
    notifyUser: await sqs.createQueue('NotifyUser', { dlq: { maxReceiveCount: 2 } }),
    // local-aws-sqs dead-letters a message on its maxReceiveCount-th receive (AWS: after it), so 3 allows one retry.
    notifyConnection: await sqs.createQueue('NotifyConnection', { dlq: { maxReceiveCount: 3 } }),
    deadlines: await sqs.createQueue('Deadlines', { dlq: { maxReceiveCount: 2 } }),
  };
  either = await startLocalGateway({
    port: 0,
    stage: 'local',
    log: () => undefined,
    routes: wsRoutes('connect'),
    managementFault: () => managementFault,
  });
  connectMode = await startLocalGateway({
    port: 0,
    stage: 'local',
    log: () => undefined,
    routes: wsRoutes('connect:connect-mode'),
    authorizer: {
      handler: call(CONNECT_AUTHORIZER.entry),
      identitySources: CONNECT_AUTHORIZER.identitySources,
      functionName: CONNECT_AUTHORIZER.entry,
    },
  });
  setEnv({
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    POWERTOOLS_DEV: 'true',
    // Powertools' dev mode turns metrics off; these tests read them (EMF lines on the console).
    POWERTOOLS_METRICS_DISABLED: 'false',
    // Successes of the frame and queue handlers are DEBUG lines; these tests read them.
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
    [ENV.mode]: 'dev',
    [ENV.authMode]: 'either',
    [ENV.connectionsTable]: 'connections',
    [ENV.exportsTable]: 'exports',
    [ENV.notificationsTable]: 'notifications',
    [ENV.notifyUserQueueUrl]: queues.notifyUser.url,
    [ENV.notifyConnectionQueueUrl]: queues.notifyConnection.url,
    [ENV.deadlinesQueueUrl]: queues.deadlines.url,
    [ENV.managementEndpoint]: either.managementEndpoint,
    [ENV.tokenSecret]: SECRET,
    [ENV.authorizeDeadlineSeconds]: '1',
    [ENV.dynamoDbEndpoint]: dynamo.endpoint,
    [ENV.sqsEndpoint]: sqs.endpoint,
  });
  logs = captureLogs();
  for (const name of Object.keys(bundles.files)) handlers[name] = await load(name);
  setEnv({ [ENV.authMode]: 'connect' });
  handlers['connect:connect-mode'] = await load('connect', 'connect-mode');
  setEnv({ [ENV.authMode]: 'either' });
}, 60_000);

afterAll(async () => {
  for (const client of opened) if (client.isOpen()) await client.end();
  await Promise.all([either.close(), connectMode.close()]);
  await Promise.all([dynamo.close(), sqs.close(), bundles.dispose()]);
  logs.restore();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) Reflect.deleteProperty(process.env, name);
    else process.env[name] = value;
  }
});

describe('bundled WebSocket handlers, auth mode either', { timeout: 30_000 }, () => {
  it('connects with ?token=, answers ping as a route response, and refuses a bad token with 401', async () => {
    const client = await open(either, `token=${await tokenFor('u1')}`);
    await client.send('{"action":"ping","name":"Stepan"}');
    expect(JSON.parse(await client.nextFrame())).toEqual({ type: 'pong', name: 'Stepan' });
    expect(await refusedStatus(either, { query: 'token=not-a-jwt' })).toBe(401);
    const repository = new DynamoDbConnectionRepository({ client: dynamo.client, tableName: 'connections' });
    expect((await repository.findByUser('u1')).connections).toHaveLength(1);
  });

  it('admits an anonymous socket, which may ping and authorize in-band but not use other actions', async () => {
    const client = await open(either);
    anonymousConnects += 1;
    await client.send('{"action":"ping"}');
    expect(JSON.parse(await client.nextFrame())).toEqual({ type: 'pong' });
    await client.send('{"action":"export"}');
    expect(JSON.parse(await client.nextFrame())).toEqual({
      type: 'error',
      code: 'UNKNOWN_ACTION',
      message: "action 'export' is not implemented",
    });
    await client.send('{"action":"authorize","token":"bad"}');
    expect(JSON.parse(await client.nextFrame())).toMatchObject({ type: 'error', code: 'UNAUTHORIZED' });
    await client.send(JSON.stringify({ action: 'authorize', token: await tokenFor('u2') }));
    expect(JSON.parse(await client.nextFrame())).toEqual({ type: 'authorized', userId: 'u2' });
    await client.send('not json');
    expect(JSON.parse(await client.nextFrame())).toMatchObject({ type: 'error', code: 'MALFORMED_FRAME' });
  });

  it('closes an anonymous socket at its deadline, through the Deadlines queue, and leaves authorized ones open', async () => {
    const authorizedBefore = opened.filter((client) => client.isOpen());
    const client = await open(either);
    anonymousConnects += 1;
    const consumed = await consumeOnce(
      sqs.client,
      queues.deadlines,
      sqsHandler('deadline'),
      anonymousConnects,
    );
    expect(consumed.response).toEqual({ batchItemFailures: [] });
    expect((await client.closed()).code).toBe(1000);
    expect(authorizedBefore.every((other) => other.isOpen())).toBe(true);
    const results = logs.lines.filter((line) => line.route === 'Deadlines').map((line) => line.result);
    expect(results.sort()).toEqual(['authorized', 'closed']);
  });

  it('delivers a NotifyUser message through both real queues to every socket of the user', async () => {
    const first = await open(either, `token=${await tokenFor('u3')}`);
    const second = await open(either, `token=${await tokenFor('u3')}`);
    await deliverNotifyUser('u3', { hello: 'world' }, 2);
    for (const client of [first, second]) {
      expect(JSON.parse(await client.nextFrame())).toMatchObject({
        type: 'notification',
        data: { hello: 'world' },
      });
    }
  });

  it('resumes through the two-way resume route: what a user missed while it had no socket, once, in order', async () => {
    const fresh = await open(either, `token=${await tokenFor('u9')}`);
    await fresh.send('{"action":"resume","requestId":"r-0"}');
    const start = JSON.parse(await fresh.nextFrame()) as { epoch: string; seq: number };
    expect(start).toEqual({
      type: 'resumed',
      epoch: start.epoch,
      seq: 0,
      recovered: true,
      notifications: [],
      requestId: 'r-0',
    });
    await fresh.end();
    await deliverNotifyUser('u9', { n: 1 }, 0);
    await deliverNotifyUser('u9', { n: 2 }, 0);
    const back = await open(either, `token=${await tokenFor('u9')}`);
    await back.send(JSON.stringify({ action: 'resume', epoch: start.epoch, seq: 0, requestId: 'r-1' }));
    const resumed = JSON.parse(await back.nextFrame()) as {
      epoch: string;
      notifications: { data: unknown }[];
    };
    expect(resumed).toMatchObject({ type: 'resumed', seq: 2, recovered: true, requestId: 'r-1' });
    expect(resumed.notifications.map((n) => n.data)).toEqual([{ n: 1 }, { n: 2 }]);
    const anonymous = await open(either);
    anonymousConnects += 1;
    await anonymous.send('{"action":"resume"}');
    expect(JSON.parse(await anonymous.nextFrame())).toMatchObject({ type: 'error', code: 'UNAUTHORIZED' });
    await back.send('{"action":"resume","seq":-1}');
    expect(JSON.parse(await back.nextFrame())).toMatchObject({ type: 'error', code: 'MALFORMED_FRAME' });
  });

  it('reports only the malformed message of a batch as failed, treats a gone socket as done, and dead-letters the bad one', async () => {
    const client = await open(either, `token=${await tokenFor('u4')}`);
    const repository = new DynamoDbConnectionRepository({ client: dynamo.client, tableName: 'connections' });
    const [live] = (await repository.findByUser('u4')).connections;
    await sqs.client.send(
      new SendMessageBatchCommand({
        QueueUrl: queues.notifyConnection.url,
        Entries: [
          { Id: 'gone', MessageBody: JSON.stringify({ connectionId: 'GoneGoneGoneGo0=', data: 1 }) },
          { Id: 'bad', MessageBody: '{"connectionId":42}' },
          { Id: 'live', MessageBody: JSON.stringify({ connectionId: live?.connectionId, data: 2 }) },
        ],
      }),
    );
    const metricsBefore = metricLines().length;
    const consumed = await consumeOnce(
      sqs.client,
      queues.notifyConnection,
      sqsHandler('notify-connection'),
      3,
    );
    const bad = consumed.messages.find((message) => message.Body === '{"connectionId":42}');
    expect(consumed.response).toEqual({ batchItemFailures: [{ itemIdentifier: bad?.MessageId }] });
    expect(JSON.parse(await client.nextFrame())).toMatchObject({ type: 'notification', data: 2 });
    const malformed = logs.lines.filter((line) => line.code === 'MALFORMED_QUEUE_MESSAGE');
    expect(malformed).toEqual([
      expect.objectContaining({ requestId: bad?.MessageId, route: 'NotifyConnection' }),
    ]);
    expect(logs.lines.some((line) => line.result === 'gone')).toBe(true);
    // One EMF line for the batch: the push, the gone socket and its latency.
    const batchMetrics = metricsSince(metricsBefore);
    expect(batchMetrics).toHaveLength(1);
    expect(batchMetrics[0]).toMatchObject({ NotificationsPushed: 1, ConnectionsGone: 1 });
    expect(typeof batchMetrics[0]?.EnqueueToPushLatency).toBe('number');

    const failures = await redeliver(sqs.client, queues.notifyConnection, sqsHandler('notify-connection'), 3);
    expect(failures.every((count) => count === 1)).toBe(true);
    expect(await sqs.drain(queues.notifyConnection.url)).toEqual([]);
    const dead = await sqs.drain(queues.notifyConnection.deadLetterUrl ?? '');
    expect(dead.map((message) => message.Body)).toEqual(['{"connectionId":42}']);
  });

  it('reports a throttled push as failed, so SQS retries it, and delivers it on the retry', async () => {
    const client = await open(either, `token=${await tokenFor('u8')}`);
    const repository = new DynamoDbConnectionRepository({ client: dynamo.client, tableName: 'connections' });
    const [live] = (await repository.findByUser('u8')).connections;
    await sqs.client.send(
      new SendMessageCommand({
        QueueUrl: queues.notifyConnection.url,
        MessageBody: JSON.stringify({
          connectionId: live?.connectionId,
          data: 'retry me',
          id: 'n-throttled',
        }),
      }),
    );
    managementFault = { statusCode: 429, errorType: 'LimitExceededException' };
    let throttled;
    try {
      throttled = await consumeOnce(sqs.client, queues.notifyConnection, sqsHandler('notify-connection'), 1);
    } finally {
      managementFault = undefined;
    }
    expect(throttled.response.batchItemFailures).toEqual([
      { itemIdentifier: throttled.messages[0]?.MessageId },
    ]);
    expect(logs.lines.filter((line) => line.code === 'TRANSIENT_FAILURE')).toHaveLength(1);
    expect(metricLines().at(-1)).toMatchObject({ PushesThrottled: 1 });
    const retried = await consumeOnce(
      sqs.client,
      queues.notifyConnection,
      sqsHandler('notify-connection'),
      1,
    );
    expect(retried.response).toEqual({ batchItemFailures: [] });
    expect(JSON.parse(await client.nextFrame())).toEqual({
      type: 'notification',
      id: 'n-throttled',
      data: 'retry me',
    });
  });

  it('never logs tokens or payloads', () => {
    const text = JSON.stringify(logs.lines);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('eyJ');
    expect(text).not.toContain('hello');
    expect(
      logs.lines
        .filter((line) => !('_aws' in line))
        .every((line) => typeof line.requestId === 'string' && typeof line.durationMs === 'number'),
    ).toBe(true);
  });
});

describe('bundled WebSocket handlers, auth mode connect', { timeout: 30_000 }, () => {
  it('lets API Gateway refuse a socket without a token, the authorizer a bad one, and admits a good one as its user', async () => {
    expect(await refusedStatus(connectMode)).toBe(401);
    expect(await refusedStatus(connectMode, { query: 'token=not-a-jwt' })).toBe(401);
    const client = await open(connectMode, `token=${await tokenFor('u5')}`);
    await client.send('{"action":"ping"}');
    expect(JSON.parse(await client.nextFrame())).toEqual({ type: 'pong' });
    await client.send(JSON.stringify({ action: 'authorize', token: await tokenFor('u5') }));
    expect(JSON.parse(await client.nextFrame())).toEqual({ type: 'authorized', userId: 'u5' });
    const repository = new DynamoDbConnectionRepository({ client: dynamo.client, tableName: 'connections' });
    expect((await repository.findByUser('u5')).connections).toHaveLength(1);
  });
});

describe('bundled REST handlers', { timeout: 30_000 }, () => {
  it('starts an export, notifies its owner with the download link, and lets only the owner download it', async () => {
    const token = await tokenFor('u6');
    const client = await open(either, `token=${token}`);
    const created = await call<Result>('create-export')(httpEvent('POST /exports', '/exports', { token }));
    expect(created.statusCode).toBe(202);
    const { exportId } = JSON.parse(created.body ?? '{}') as { exportId: string };
    const fanOut = await consumeOnce(sqs.client, queues.notifyUser, sqsHandler('notify-user'), 1);
    expect(fanOut.response).toEqual({ batchItemFailures: [] });
    await consumeOnce(sqs.client, queues.notifyConnection, sqsHandler('notify-connection'), 1);
    const url = `/exports/${encodeURIComponent(exportId)}`;
    expect(JSON.parse(await client.nextFrame())).toEqual({
      type: 'notification',
      id: `export-${exportId}`,
      seq: 1,
      epoch: expect.any(String) as string,
      data: { kind: 'export.ready', exportId, url },
    });
    expect(fanOut.messages).toHaveLength(1);

    const get = (bearer?: string) =>
      call<Result>('get-export')(
        httpEvent('GET /exports/{id}', url, {
          pathParameters: { id: exportId },
          ...(bearer === undefined ? {} : { token: bearer }),
        }),
      );
    const mine = await get(token);
    expect(mine.statusCode).toBe(200);
    expect(JSON.parse(mine.body ?? '{}')).toMatchObject({ exportId, userId: 'u6' });
    expect((await get(await tokenFor('u7'))).statusCode).toBe(404);
    expect((await get()).statusCode).toBe(401);
    expect((await call<Result>('create-export')(httpEvent('POST /exports', '/exports'))).statusCode).toBe(
      401,
    );
  });

  it('issues tokens on dev stages only', async () => {
    const bad = await call<Result>('token')(httpEvent('POST /token', '/token', { body: '{"userId":""}' }));
    expect(bad.statusCode).toBe(400);
    setEnv({ [ENV.mode]: 'production' });
    try {
      const production = await load('token', 'production');
      const refused = (await production(
        httpEvent('POST /token', '/token', { body: '{"userId":"u1"}' }) as never,
        lambdaContext('token') as never,
      )) as Result;
      expect(refused.statusCode).toBe(404);
    } finally {
      setEnv({ [ENV.mode]: 'dev' });
    }
  });
});
