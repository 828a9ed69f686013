// The deployment's shape, written once as plain data: which function runs behind each WebSocket
// route, queue and HTTP route, and what each function is configured with. `sst.config.ts`
// deploys it, `pnpm dev` (apps/local/src/dev) runs it locally, and the tests check both against it.
import { BUILT_IN_ACTIONS } from '@pushline/core';
import { type Entry, ENTRIES, ENV, envFor, type QueueName, type TableName } from './composition/config.js';
import { QUEUE_BATCH_SIZE } from './deployment.js';

/** A variable a function reads (a value of `ENV`). */
type Variable = (typeof ENV)[keyof typeof ENV];

/** One route of the WebSocket API. */
export interface WebSocketRoute {
  /** `$connect`, `$disconnect`, `$default`, or an action's name (`$request.body.action` selects it). */
  readonly key: string;
  /** The function that runs it. */
  readonly entry: Entry;
  /** Whether the function's reply goes back to the client as a frame (a `$default` route response). */
  readonly twoWay: boolean;
}

/**
 * Every WebSocket route: the socket's lifecycle, `$default` for any frame no other route
 * selects, and one two-way route per built-in action, run by the entry of the same name.
 */
export const WEB_SOCKET_ROUTES: readonly WebSocketRoute[] = [
  { key: '$connect', entry: 'connect', twoWay: false },
  { key: '$disconnect', entry: 'disconnect', twoWay: false },
  { key: '$default', entry: 'default', twoWay: true },
  ...BUILT_IN_ACTIONS.map((action): WebSocketRoute => ({ key: action, entry: action, twoWay: true })),
];

/**
 * The REQUEST authorizer on `$connect`, deployed in auth mode `connect` only: API Gateway
 * refuses a handshake without the `token` query parameter before invoking it.
 */
export const CONNECT_AUTHORIZER = {
  name: 'TokenAuthorizer',
  entry: 'authorizer',
  identitySources: ['route.request.querystring.token'],
} as const satisfies { name: string; entry: Entry; identitySources: readonly string[] };

/** The queues and the tables, by the name of their resource (config.ts names them, for the grants). */
export type { QueueName, TableName } from './composition/config.js';

/** One SQS queue, its dead-letter queue, and the one function that consumes it. */
export interface QueueTopology {
  readonly name: QueueName;
  /** The consumer, invoked with batches of {@link QUEUE_CONSUMER}'s size. */
  readonly consumer: Entry;
  /** The variable that gives the functions the queue's URL. */
  readonly urlVariable: Variable;
  /**
   * Most concurrent invocations of the consumer (the event source's `maximumConcurrency`, 2
   * to 1000), so a large fan-out or a dead-letter redrive cannot take the account's
   * concurrency from the WebSocket route functions. Overridden at deploy by `maxConcurrencyVariable`.
   */
  readonly maxConcurrency: number;
  readonly maxConcurrencyVariable: string;
}

/** Every queue. Each has a dead-letter queue named `<name>Dlq` (`QUEUE_SETTINGS` says when it takes a message). */
export const QUEUES: readonly QueueTopology[] = [
  {
    name: 'NotifyUser',
    consumer: 'notify-user',
    urlVariable: ENV.notifyUserQueueUrl,
    maxConcurrency: 10,
    maxConcurrencyVariable: 'PUSHLINE_MAX_CONCURRENCY_NOTIFY_USER',
  },
  {
    name: 'NotifyConnection',
    consumer: 'notify-connection',
    urlVariable: ENV.notifyConnectionQueueUrl,
    maxConcurrency: 50,
    maxConcurrencyVariable: 'PUSHLINE_MAX_CONCURRENCY_NOTIFY_CONNECTION',
  },
  {
    name: 'Deadlines',
    consumer: 'deadline',
    urlVariable: ENV.deadlinesQueueUrl,
    maxConcurrency: 5,
    maxConcurrencyVariable: 'PUSHLINE_MAX_CONCURRENCY_DEADLINES',
  },
];

/**
 * How every queue's consumer is invoked: batches of up to `batchSize` records, and only the
 * records it reports failed (`ReportBatchItemFailures`) are received again.
 */
export const QUEUE_CONSUMER = { batchSize: QUEUE_BATCH_SIZE, partialResponses: true } as const;

/** Every DynamoDB table, and the variable that gives the functions its name. */
export const TABLES: readonly { readonly name: TableName; readonly nameVariable: Variable }[] = [
  { name: 'Connections', nameVariable: ENV.connectionsTable },
  { name: 'Exports', nameVariable: ENV.exportsTable },
  { name: 'Notifications', nameVariable: ENV.notificationsTable },
];

/** One route of the HTTP API (payload format 2.0). */
export interface HttpRoute {
  readonly method: 'GET' | 'POST';
  /** A path with `{name}` parameters. */
  readonly path: string;
  readonly entry: Entry;
  /** Served only in dev mode: `POST /token` mints a token for any user. */
  readonly devOnly: boolean;
}

/** Every HTTP route. */
export const HTTP_ROUTES: readonly HttpRoute[] = [
  { method: 'POST', path: '/token', entry: 'token', devOnly: true },
  { method: 'POST', path: '/exports', entry: 'create-export', devOnly: false },
  { method: 'GET', path: '/exports/{id}', entry: 'get-export', devOnly: false },
];

/** API Gateway's route key of an HTTP route: `POST /exports`. */
export function httpRouteKey(route: HttpRoute): string {
  return `${route.method} ${route.path}`;
}

/** One Lambda function: its entry (a file of `src/handlers/`), its timeout and its environment. */
export interface LambdaFunction {
  readonly entry: Entry;
  /** 20 s for a queue's consumer (a batch), 10 s for the others. */
  readonly timeoutSeconds: 10 | 20;
  /** The variables it reads, from `envFor`: the required ones, and the ones it reads when set. */
  readonly environment: ReturnType<typeof envFor>;
}

/** Every function, one per entry of `ENTRIES`. */
export const FUNCTIONS: readonly LambdaFunction[] = (Object.keys(ENTRIES) as Entry[]).map((entry) => ({
  entry,
  timeoutSeconds: QUEUES.some((queue) => queue.consumer === entry) ? 20 : 10,
  environment: envFor(entry),
}));
