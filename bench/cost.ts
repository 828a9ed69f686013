// Cost shape on AWS. This design's AWS calls per operation are counted, not assumed: the use
// cases run through the DynamoDB, SQS and API Gateway Management API adapters against real
// local peers (dynalite, local-aws-sqs, and @pushline/local's gateway for @connections), with
// the call-counting middleware on each SDK client. What the platform does around them (Lambda
// runs, the SQS poller's requests, the client's frames) is modelled, per operation, below.
// The seed's design is modelled call by call in SEED, with a comment on each.
import { DIRECT_PUSH_LIMIT, QUEUE_SETTINGS } from '@pushline/lambda/deployment';
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { CreateTableCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ApiGatewayConnectionPusher } from '@pushline/adapters/apigateway';
import { type CallCounter, countCalls } from '@pushline/adapters/aws';
import {
  CONNECTIONS_TABLE,
  createConnectionsTable,
  DynamoDbConnectionRepository,
  DynamoDbNotificationStream,
  notificationsTableDefinition,
} from '@pushline/adapters/dynamodb';
import { JoseTokenIssuer, JoseTokenVerifier } from '@pushline/adapters/jose';
import { SqsMessageQueue } from '@pushline/adapters/sqs';
import { SystemClock } from '@pushline/adapters/system';
import {
  Authorize,
  Connect,
  defaultActions,
  Disconnect,
  NotifyConnection,
  NotifyUser,
  parseNotifyConnectionMessage,
  ResumeAction,
  Route,
} from '@pushline/core';
import { startLocalGateway } from '@pushline/local';
import { createQueueWithDeadLetter, drainQueue, LOCAL_RESOURCES, startLocalAws } from '@pushline/local/dev';
import { closeClients, openClients } from './support/clients.js';

/** List prices (us-east-1, USD). */
export const PRICES = {
  /** API Gateway WebSocket: per message sent or received (32 KB increments). */
  apiGatewayMessage: 1.0 / 1e6,
  /** SQS standard: per request (64 KB chunks). */
  sqsRequest: 0.4 / 1e6,
  /** Lambda: per request. */
  lambdaRequest: 0.2 / 1e6,
  /** Lambda x86: per GB-second. */
  lambdaGbSecond: 0.0000166667,
  /** DynamoDB on-demand: per read request unit. */
  dynamoReadUnit: 0.125 / 1e6,
  /** DynamoDB on-demand: per write request unit. */
  dynamoWriteUnit: 0.625 / 1e6,
} as const;

/** Assumed for every Lambda run of both designs: SST's default memory, a short handler. */
export const LAMBDA = { memoryGb: 1.0, billedSeconds: 0.02 } as const;

/** What an operation uses, in billed units. */
export interface Bill {
  readonly apiGatewayMessages: number;
  readonly sqsRequests: number;
  readonly lambdaRuns: number;
  readonly dynamoReadUnits: number;
  readonly dynamoWriteUnits: number;
}

const NONE: Bill = {
  apiGatewayMessages: 0,
  sqsRequests: 0,
  lambdaRuns: 0,
  dynamoReadUnits: 0,
  dynamoWriteUnits: 0,
};

function add(...bills: Partial<Bill>[]): Bill {
  return bills.reduce<Bill>(
    (sum, bill) => ({
      apiGatewayMessages: sum.apiGatewayMessages + (bill.apiGatewayMessages ?? 0),
      sqsRequests: sum.sqsRequests + (bill.sqsRequests ?? 0),
      lambdaRuns: sum.lambdaRuns + (bill.lambdaRuns ?? 0),
      dynamoReadUnits: sum.dynamoReadUnits + (bill.dynamoReadUnits ?? 0),
      dynamoWriteUnits: sum.dynamoWriteUnits + (bill.dynamoWriteUnits ?? 0),
    }),
    NONE,
  );
}

/** Dollars for one operation. */
export function dollars(bill: Bill): number {
  const lambdaRun = PRICES.lambdaRequest + LAMBDA.memoryGb * LAMBDA.billedSeconds * PRICES.lambdaGbSecond;
  return (
    bill.apiGatewayMessages * PRICES.apiGatewayMessage +
    bill.sqsRequests * PRICES.sqsRequest +
    bill.lambdaRuns * lambdaRun +
    bill.dynamoReadUnits * PRICES.dynamoReadUnit +
    bill.dynamoWriteUnits * PRICES.dynamoWriteUnit
  );
}

/** One Lambda run fed by SQS: the poller's ReceiveMessage and DeleteMessageBatch, and the run. */
const SQS_BATCH_RUN: Partial<Bill> = { sqsRequests: 2, lambdaRuns: 1 };

/** Read units of a Query returning `items` index entries of `itemBytes` (eventually consistent: 0.5 per 4 KB). */
function queryReadUnits(items: number, itemBytes: number): number {
  return 0.5 * Math.max(1, Math.ceil((items * itemBytes) / 4096));
}

/**
 * The seed's design, call by call. Its consumers take one message per Lambda run (the
 * brief has no partial batch responses, so a batch of 10 would re-deliver nine neighbours
 * of a failure), and every reply to a client frame takes the queue hop.
 */
export function seedBill(operation: string, k: number, itemBytes: number): Bill {
  switch (operation) {
    case 'connect':
      // REQUEST authorizer run + $connect run + PutItem of the registry record.
      return add({ lambdaRuns: 2, dynamoWriteUnits: 1 });
    case 'disconnect':
      // $disconnect run + DeleteItem.
      return add({ lambdaRuns: 1, dynamoWriteUnits: 1 });
    case 'ping':
      return add(
        { apiGatewayMessages: 1, lambdaRuns: 1 }, // the client's frame, the ping route's run
        { sqsRequests: 1 }, // SendMessage of the pong to NotifyConnection
        SQS_BATCH_RUN, // NotifyConnection consumer: receive, delete, run
        { apiGatewayMessages: 1 }, // PostToConnection of the pong
      );
    case 'authorize':
      return add(
        { apiGatewayMessages: 1, lambdaRuns: 1, dynamoWriteUnits: 1 }, // frame, run, UpdateItem
        { sqsRequests: 1 }, // the reply goes through the queue like the pong
        SQS_BATCH_RUN,
        { apiGatewayMessages: 1 }, // PostToConnection of the reply
      );
    case 'notifyUser':
      return add(
        { sqsRequests: 1 }, // the caller's SendMessage to NotifyUser
        SQS_BATCH_RUN, // NotifyUser consumer
        { dynamoReadUnits: queryReadUnits(k, itemBytes) }, // Query of the user's connections
        { sqsRequests: k }, // one SendMessage per connection
        ...Array.from({ length: k }, () => SQS_BATCH_RUN), // one NotifyConnection run per message
        { apiGatewayMessages: k }, // one PostToConnection per connection
      );
    case 'notifyConnection':
      // The caller's SendMessage, one consumer run, one PostToConnection.
      return add({ sqsRequests: 1 }, SQS_BATCH_RUN, { apiGatewayMessages: 1 });
    case 'resume':
      // The seed keeps no notification: a client that missed one cannot get it back at all.
      // Nothing to price; the row is this design's cost alone.
      return NONE;
    default:
      throw new Error(`no seed model for ${operation}`);
  }
}

/** One operation of this design: SDK calls counted, platform work modelled. */
export interface CostRow {
  readonly operation: string;
  readonly k: number;
  /** SDK calls the use case made, by operation (`DynamoDB.PutItem`, `SQS.SendMessageBatch`, …). */
  readonly calls: Readonly<Record<string, number>>;
  readonly bill: Bill;
  readonly seedBill: Bill;
  /** Dollars per million operations. */
  readonly dollarsPerMillion: number;
  readonly seedDollarsPerMillion: number;
  readonly ratio: number;
}

/** Turns counted SDK calls plus modelled platform work into a bill. */
function billOf(
  calls: Readonly<Record<string, number>>,
  itemsRead: number,
  itemBytes: number,
  platform: Partial<Bill>,
): Bill {
  const n = (name: string): number => calls[name] ?? 0;
  return add(platform, {
    apiGatewayMessages: n('ApiGateway.PostToConnection'),
    sqsRequests: n('SQS.SendMessage') + n('SQS.SendMessageBatch'),
    // Items are under 1 KB: one write unit each; a consistent GetItem of under 4 KB is one read unit.
    dynamoWriteUnits: n('DynamoDB.PutItem') + n('DynamoDB.DeleteItem') + n('DynamoDB.UpdateItem'),
    // Each page is one Query; the K items are spread over the pages.
    dynamoReadUnits:
      n('DynamoDB.GetItem') +
      (n('DynamoDB.Query') > 0
        ? n('DynamoDB.Query') * queryReadUnits(Math.ceil(itemsRead / n('DynamoDB.Query')), itemBytes)
        : 0),
  });
}

/** DynamoDB's item size: attribute names plus values (strings as UTF-8, numbers ~1 byte per 2 digits + 1). */
function itemSize(item: Readonly<Record<string, { S?: string; N?: string }>>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    size += Buffer.byteLength(name);
    if (value.S !== undefined) size += Buffer.byteLength(value.S);
    if (value.N !== undefined) size += Math.ceil(value.N.length / 2) + 1;
  }
  return size;
}

/**
 * Runs every operation of this design on the local peers, counting its SDK calls, and prices
 * it next to the seed's model. `ks` are the fan-out sizes of NotifyUser.
 */
export async function measureCost(ks: readonly number[]): Promise<CostRow[]> {
  const aws = await startLocalAws();
  const connectionIds = new Set<string>();
  const gateway = await startLocalGateway({
    log: () => undefined,
    routes: {
      $connect: {
        handler: (event) => {
          connectionIds.add(event.requestContext.connectionId);
          return Promise.resolve({ statusCode: 200 });
        },
      },
    },
  });
  const management = new ApiGatewayManagementApiClient({
    endpoint: gateway.managementEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const counters: [string, CallCounter][] = [];
  try {
    await createConnectionsTable(aws.dynamoDb, 'connections');
    await aws.dynamoDb.send(new CreateTableCommand(notificationsTableDefinition('notifications')));
    // The deployed queues' names and settings (only the calls are counted, so the settings change nothing).
    const notifyUserQueue = await createQueueWithDeadLetter(
      aws.sqs,
      LOCAL_RESOURCES.queues.NotifyUser,
      QUEUE_SETTINGS,
    );
    const notifyConnectionQueue = await createQueueWithDeadLetter(
      aws.sqs,
      LOCAL_RESOURCES.queues.NotifyConnection,
      QUEUE_SETTINGS,
    );
    const clock = new SystemClock();
    const repository = new DynamoDbConnectionRepository({ client: aws.dynamoDb, tableName: 'connections' });
    const queue = new SqsMessageQueue({
      client: aws.sqs,
      notifyUserQueueUrl: notifyUserQueue.url,
      notifyConnectionQueueUrl: notifyConnectionQueue.url,
    });
    const secret = 'bench-cost-secret-bench-cost-secret-0123';
    const verifier = new JoseTokenVerifier({ secret });
    const issuer = new JoseTokenIssuer({ secret });
    const pusher = new ApiGatewayConnectionPusher({ client: management });
    // The connect row is auth mode `connect` (the REQUEST authorizer verified the token, $connect gets
    // the user); the authorize row needs an anonymous socket, so anonymous sockets are allowed.
    const connect = new Connect(repository, verifier, clock, { allowAnonymous: true });
    const disconnect = new Disconnect(repository);
    const route = new Route(repository, defaultActions(new Authorize(repository, verifier)));
    // As deployed (sst.config.ts): a user with up to DIRECT_PUSH_LIMIT sockets is pushed to in place.
    const stream = new DynamoDbNotificationStream({
      client: aws.dynamoDb,
      tableName: 'notifications',
      clock,
    });
    const notifyConnection = new NotifyConnection(pusher, repository, clock);
    const notifyUser = new NotifyUser(repository, queue, clock, stream, {
      directPush: { delivery: notifyConnection, maxConnections: DIRECT_PUSH_LIMIT },
    });
    counters.push(
      ['DynamoDB', countCalls(aws.dynamoDb)],
      ['SQS', countCalls(aws.sqs)],
      ['ApiGateway', countCalls(management)],
    );

    const counted = async (run: () => Promise<unknown>): Promise<Record<string, number>> => {
      for (const [, counter] of counters) counter.reset();
      await run();
      const calls: Record<string, number> = {};
      for (const [service, counter] of counters)
        for (const [operation, count] of Object.entries(counter.counts()))
          calls[`${service}.${operation}`] = count;
      return calls;
    };
    const sockets = async (
      count: number,
    ): Promise<{ ids: string[]; frames: () => number; close: () => void }> => {
      const before = new Set(connectionIds);
      let frames = 0;
      const clients = await openClients(count, { url: () => gateway.url, concurrency: 50 });
      for (const client of clients) client.on('message', () => (frames += 1));
      const ids = [...connectionIds].filter((id) => !before.has(id));
      if (ids.length !== count) throw new Error(`expected ${count} gateway connections, saw ${ids.length}`);
      return {
        ids,
        frames: () => frames,
        close: () => {
          closeClients(clients);
        },
      };
    };

    const rows: CostRow[] = [];
    const [single] = (await sockets(1)).ids;
    if (single === undefined) throw new Error('no gateway connection');
    const userId = 'cost-user';
    const row = (
      operation: string,
      k: number,
      calls: Record<string, number>,
      bill: Bill,
      itemBytes: number,
    ): void => {
      const seed = seedBill(operation, k, itemBytes);
      const ours = dollars(bill) * 1e6;
      const theirs = dollars(seed) * 1e6;
      rows.push({
        operation,
        k,
        calls,
        bill,
        seedBill: seed,
        dollarsPerMillion: ours,
        seedDollarsPerMillion: theirs,
        ratio: theirs === 0 ? Number.NaN : ours / theirs,
      });
    };

    const connectCalls = await counted(() => connect.execute({ connectionId: single, userId }));
    const { Item } = await aws.dynamoDb.send(
      new GetItemCommand({
        TableName: 'connections',
        Key: { [CONNECTIONS_TABLE.partitionKey]: { S: single } },
      }),
    );
    const itemBytes = itemSize(Item ?? {});
    row('connect', 1, connectCalls, billOf(connectCalls, 0, itemBytes, { lambdaRuns: 2 }), itemBytes);
    const pingCalls = await counted(() =>
      route.execute({ connectionId: single, userId, body: '{"action":"ping","name":"Stepan"}' }),
    );
    // The client's frame and the route response (two-way route): two messages, one Lambda run.
    row(
      'ping',
      1,
      pingCalls,
      billOf(pingCalls, 0, itemBytes, { apiGatewayMessages: 2, lambdaRuns: 1 }),
      itemBytes,
    );
    const { token } = await issuer.issue(userId);
    const [anonymous] = (await sockets(1)).ids;
    if (anonymous === undefined) throw new Error('no gateway connection');
    await connect.execute({ connectionId: anonymous });
    const authorizeCalls = await counted(async () => {
      const outcome = await route.execute({
        connectionId: anonymous,
        body: JSON.stringify({ action: 'authorize', token }),
      });
      if (outcome.reply.type !== 'authorized') throw new Error(`authorize failed: ${outcome.payload}`);
    });
    row(
      'authorize',
      1,
      authorizeCalls,
      billOf(authorizeCalls, 0, itemBytes, { apiGatewayMessages: 2, lambdaRuns: 1 }),
      itemBytes,
    );
    const notifyConnectionCalls = await counted(async () => {
      await queue.sendNotifyConnection([{ connectionId: single, data: { kind: 'export.ready' } }]);
      const outcome = await notifyConnection.execute({
        message: { connectionId: single, data: { kind: 'export.ready' } },
        messageId: 'm-1',
      });
      if (!outcome.ok || outcome.value.result !== 'delivered')
        throw new Error('NotifyConnection did not deliver');
    });
    await drainQueue(aws.sqs, notifyConnectionQueue.url);
    row(
      'notifyConnection',
      1,
      notifyConnectionCalls,
      billOf(notifyConnectionCalls, 0, itemBytes, SQS_BATCH_RUN),
      itemBytes,
    );
    // resume: a user who missed 3 notifications while it had no socket. On a socket of auth mode
    // either, Route reads the registry for the sender's user; then the stream's meta item and one
    // Query. The client's frame and the route response are two messages, one Lambda run.
    const resumeRoute = new Route(repository, [new ResumeAction(stream)]);
    await connect.execute({ connectionId: 'resume-connection', userId: 'cost-resume' });
    let epoch = '';
    for (const id of ['r-1', 'r-2', 'r-3', 'r-4'])
      epoch = (await stream.append('cost-resume', { id, data: { kind: 'export.ready', id } })).epoch;
    const resumeCalls = await counted(async () => {
      const outcome = await resumeRoute.execute({
        connectionId: 'resume-connection',
        body: JSON.stringify({ action: 'resume', epoch, seq: 1 }),
      });
      if (outcome.reply.type !== 'resumed' || !outcome.reply.recovered)
        throw new Error(`resume did not recover: ${outcome.payload}`);
    });
    row(
      'resume',
      3,
      resumeCalls,
      billOf(resumeCalls, 3, 300, { apiGatewayMessages: 2, lambdaRuns: 1 }),
      itemBytes,
    );
    const disconnectCalls = await counted(() => disconnect.execute({ connectionId: single }));
    row(
      'disconnect',
      1,
      disconnectCalls,
      billOf(disconnectCalls, 0, itemBytes, { lambdaRuns: 1 }),
      itemBytes,
    );

    for (const k of ks) {
      const group = await sockets(k);
      try {
        const fanUser = `cost-fan-${k}`;
        for (const id of group.ids) await connect.execute({ connectionId: id, userId: fanUser });
        const data = { kind: 'export.ready', k };
        let batches = 0;
        const calls = await counted(async () => {
          await queue.sendNotifyUser([{ userId: fanUser, data }]); // the caller
          const outcome = await notifyUser.execute({
            message: { userId: fanUser, data },
            messageId: `n-${k}`,
          });
          if (!outcome.ok) throw new Error(outcome.error.message);
          const reached = outcome.value.enqueued + outcome.value.pushed;
          if (reached !== k) throw new Error(`NotifyUser reached ${reached} of ${k}`);
          batches = outcome.value.batches;
        });
        // The queue hop is the platform's (the poller), not ours: drain outside the count.
        const messages = await drainQueue(aws.sqs, notifyConnectionQueue.url);
        await drainQueue(aws.sqs, notifyUserQueue.url);
        const pushCalls = await counted(async () => {
          for (const message of messages) {
            const parsed = parseNotifyConnectionMessage(message.Body ?? '');
            if (!parsed.ok) throw new Error(parsed.error.message);
            await notifyConnection.execute({ message: parsed.value, messageId: message.MessageId ?? '' });
          }
        });
        for (const [name, count] of Object.entries(pushCalls)) calls[name] = (calls[name] ?? 0) + count;
        const deadline = Date.now() + 10_000;
        while (group.frames() < k && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 10));
        if (group.frames() !== k) throw new Error(`${group.frames()} of ${k} sockets got the notification`);
        // The NotifyUser run, and one NotifyConnection run per SendMessageBatch (its messages arrive together).
        const platform = add(SQS_BATCH_RUN, ...Array.from({ length: batches }, () => SQS_BATCH_RUN));
        row('notifyUser', k, calls, billOf(calls, k, itemBytes, platform), itemBytes);
        for (const id of group.ids) await repository.remove(id);
      } finally {
        group.close();
      }
    }
    return rows;
  } finally {
    for (const [, counter] of counters) counter.detach();
    management.destroy();
    await gateway.close();
    await aws.close();
  }
}

/**
 * What if NotifyUser pushed to the user's sockets itself when they fit in one batch (K ≤ 10),
 * skipping the NotifyConnection hop: the bill of `row` without the hop's batches and runs.
 */
export function directPushBill(row: CostRow): Bill {
  const batches = row.calls['SQS.SendMessageBatch'] ?? 0;
  // One SendMessageBatch is the caller's; the rest fed NotifyConnection runs.
  const hops = Math.max(0, batches - 1);
  return add(row.bill, { sqsRequests: -hops * 3, lambdaRuns: -hops });
}

/** API Gateway WebSocket connection minutes (us-east-1, USD per minute). */
export const CONNECTION_MINUTE_PRICE = 0.25 / 1e6;

/** How a keep-alive frame is handled on AWS, and what one costs. */
export const KEEP_ALIVE_ROUTES = {
  /** `{"action":"ping"}` on the two-way `ping` route (a Lambda): the frame, one run, the `pong` (as measured by measureCost's `ping` row: no DynamoDB call). */
  'ping, Lambda, two-way': { apiGatewayMessages: 2, lambdaRuns: 1 },
  /**
   * The `ping` route on a MOCK integration with a route response (two-way, the `pong` written
   * by an integration response template): both messages, no Lambda run.
   */
  'ping, MOCK, two-way': { apiGatewayMessages: 2 },
  /** A one-way route on a MOCK integration: the inbound frame only, no Lambda and no reply. */
  'one-way, MOCK': { apiGatewayMessages: 1 },
} as const satisfies Record<string, Partial<Bill>>;

/** The keep-alive bill of one connection-hour: one keep-alive every `intervalMs` of silence. */
export function keepAliveBill(intervalMs: number, each: Partial<Bill>): Bill {
  const perHour = 3_600_000 / intervalMs;
  return add({
    apiGatewayMessages: (each.apiGatewayMessages ?? 0) * perHour,
    lambdaRuns: (each.lambdaRuns ?? 0) * perHour,
  });
}

/** Dollars per million connection-hours: the keep-alives, and the connection minutes beside them. */
export function keepAliveCost(
  intervalMs: number,
  each: Partial<Bill>,
): { keepAlive: number; connectionMinutes: number } {
  return {
    keepAlive: dollars(keepAliveBill(intervalMs, each)) * 1e6,
    connectionMinutes: 60 * CONNECTION_MINUTE_PRICE * 1e6,
  };
}
