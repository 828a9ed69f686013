import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import {
  createConnectionsTable,
  exportsTableDefinition,
  notificationsTableDefinition,
} from '@pushline/adapters/dynamodb';
import { DEFAULT_CONNECT_GRACE_MS } from '@pushline/core';
import { type Entry, ENV as LAMBDA_ENV } from '@pushline/lambda/config';
import { DIRECT_PUSH_LIMIT, QUEUE_SETTINGS } from '@pushline/lambda/deployment';
import {
  CONNECT_AUTHORIZER,
  FUNCTIONS,
  HTTP_ROUTES,
  type HttpRoute,
  QUEUE_CONSUMER,
  type QueueName,
  QUEUES,
  type TableName,
  TABLES,
  WEB_SOCKET_ROUTES,
  type WebSocketRoute,
} from '@pushline/lambda/topology';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startLocalGateway, type LocalGateway, type LocalGatewayTimeouts } from '../gateway.js';
import type { InvocableHandler } from '../invoke.js';
import type { ManagementFaultHook } from '../management-api.js';
import { type AwsFaultHook, startAwsFaultProxy } from './aws-faults.js';
import { applyLambdaEnvironment, type DevAuthMode, type DevConfig, type DevLogLevel } from './config.js';
import { startHttpApi, type HttpApi } from './http-api.js';
import {
  createQueueWithDeadLetter,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  type LocalQueue,
  startLocalAws,
  type LocalAws,
} from './local-aws.js';
import { type BatchReport, startSqsPoller, type SqsPoller } from './sqs-poller.js';

/** A resource's local name, as `sst deploy` would name it in a stage: `NotifyUser` → `pushline-notify-user`. */
const localName = (name: string): string =>
  `pushline-${name.replace(/(?<=[a-z])(?=[A-Z])/g, '-').toLowerCase()}`;

/** Names of the local tables and queues (each topology resource's {@link localName}). */
export const LOCAL_RESOURCES: {
  readonly tables: Readonly<Record<TableName, string>>;
  readonly queues: Readonly<Record<QueueName, string>>;
} = {
  tables: Object.fromEntries(TABLES.map(({ name }) => [name, localName(name)])) as Record<TableName, string>,
  queues: Object.fromEntries(QUEUES.map(({ name }) => [name, localName(name)])) as Record<QueueName, string>,
};

/** Creates a topology table on dynalite, from the adapters' own definition. */
function createTable(aws: LocalAws, table: TableName, name: string): Promise<unknown> {
  switch (table) {
    case 'Connections':
      return createConnectionsTable(aws.dynamoDb, name);
    case 'Exports':
      return aws.dynamoDb.send(new CreateTableCommand(exportsTableDefinition(name)));
    case 'Notifications':
      return aws.dynamoDb.send(new CreateTableCommand(notificationsTableDefinition(name)));
  }
}

/**
 * What the local queues are created with. local-aws-sqs (2.0.2) counts a
 * ChangeMessageVisibility as a receive, which AWS does not, and the pollers change the
 * visibility of every record that failed, so a failed delivery counts twice there. Doubling
 * `maxReceiveCount` gives a message as many deliveries before its dead-letter queue as on AWS.
 */
const PEER_QUEUE_SETTINGS = { ...QUEUE_SETTINGS, maxReceiveCount: 2 * QUEUE_SETTINGS.maxReceiveCount };

/**
 * Receive loops per queue: Lambda scales SQS pollers with the backlog, and a fan-out puts a
 * user's whole batch list on the NotifyConnection queue at once.
 */
const POLLERS: Readonly<Record<QueueName, number>> = { NotifyUser: 4, NotifyConnection: 12, Deadlines: 2 };

/**
 * What the stack runs, in one auth mode: apps/lambda's topology, as `sst.config.ts` deploys it
 * on a dev stage (a test checks the two agree). {@link startDevStack} builds everything from it.
 */
export interface DevStackPlan {
  readonly webSocketRoutes: readonly WebSocketRoute[];
  /** The `$connect` authorizer, in auth mode `connect` only. */
  readonly authorizer: typeof CONNECT_AUTHORIZER | null;
  /** Each queue and the entry its poller invokes, with batches of `batchSize`. */
  readonly consumers: readonly {
    readonly queue: QueueName;
    readonly entry: Entry;
    readonly batchSize: number;
  }[];
  /** Every HTTP route: the stack is dev mode, so the dev-only ones too. */
  readonly httpRoutes: readonly HttpRoute[];
  /** Every handler module the stack loads. */
  readonly entries: readonly Entry[];
}

/** The {@link DevStackPlan} of an auth mode. */
export function devStackPlan(authMode: DevAuthMode): DevStackPlan {
  return {
    webSocketRoutes: WEB_SOCKET_ROUTES,
    authorizer: authMode === 'connect' ? CONNECT_AUTHORIZER : null,
    consumers: QUEUES.map((queue) => ({
      queue: queue.name,
      entry: queue.consumer,
      batchSize: QUEUE_CONSUMER.batchSize,
    })),
    httpRoutes: HTTP_ROUTES,
    entries: FUNCTIONS.map((fn) => fn.entry),
  };
}

/** Options of {@link startDevStack} beyond the {@link DevConfig}. */
export interface DevStackOptions {
  /** Gateway timers (idle, maximum duration, integration); API Gateway's by default. */
  readonly timeouts?: Partial<LocalGatewayTimeouts>;
  /** Log level of the handlers' Powertools loggers; default the config's. */
  readonly logLevel?: DevLogLevel;
  /** Seconds before a failed queue record is retried; default 2 (AWS waits for the visibility timeout). */
  readonly retryVisibilitySeconds?: number;
  /** Told about every queue invocation. */
  readonly onBatch?: (report: BatchReport) => void;
  /** Faults the gateway's `@connections` API injects (410, 413, 429, 5xx); none by default. */
  readonly managementFault?: ManagementFaultHook;
  /**
   * Faults injected into the handlers' DynamoDB and SQS calls (throttling, 5xx, partially
   * failed batches): their clients then go through a proxy that asks this hook about every
   * call. The stack's own clients (`aws`) are not affected. None by default.
   */
  readonly awsFault?: AwsFaultHook;
  /**
   * Seconds after `$connect` during which a 410 keeps a connection's record (the handlers'
   * `PUSHLINE_CONNECT_GRACE_SECONDS`); default theirs (5).
   */
  readonly connectGraceSeconds?: number;
}

/** The running stack: its URLs, its peers and queues, and how to stop it. */
export interface DevStack {
  /** `ws://127.0.0.1:3001/local` */
  readonly wsUrl: string;
  /** `http://127.0.0.1:3001/local`, the `@connections` endpoint. */
  readonly managementEndpoint: string;
  /** `http://127.0.0.1:3000`: the REST API and the demo page. */
  readonly httpUrl: string;
  readonly aws: LocalAws;
  /** The queues of the topology, by name (`NotifyUser`, …). */
  readonly queues: Readonly<Record<QueueName, LocalQueue>>;
  readonly gateway: LocalGateway;
  close(): Promise<void>;
}

let stacks = 0;

/**
 * Starts the whole AWS-shaped stack in this process: dynalite and local-aws-sqs, the
 * connections and exports tables, the queues with their dead-letter queues, the local
 * API Gateway running `apps/lambda`'s handlers, pollers feeding the SQS handlers, and the
 * REST API with the demo page.
 */
export async function startDevStack(config: DevConfig, options: DevStackOptions = {}): Promise<DevStack> {
  const plan = devStackPlan(config.authMode);
  const aws = await startLocalAws(config.host, { sqs: config.sqsPort, dynamoDb: config.dynamoDbPort });
  const closers: (() => Promise<void>)[] = [() => aws.close()];
  try {
    // The peers start empty, in memory: nothing exists yet.
    for (const { name } of TABLES) await createTable(aws, name, LOCAL_RESOURCES.tables[name]);
    const queues = Object.fromEntries(
      await Promise.all(
        QUEUES.map(
          async ({ name }) =>
            [
              name,
              await createQueueWithDeadLetter(aws.sqs, LOCAL_RESOURCES.queues[name], PEER_QUEUE_SETTINGS),
            ] as const,
        ),
      ),
    ) as Record<QueueName, LocalQueue>;

    // The gateway's port decides the management endpoint the handlers need, so routes
    // call through `handlers`, filled in once the modules are loaded with that environment.
    // With `awsFault`, the handlers reach DynamoDB and SQS through fault proxies.
    const endpoints =
      options.awsFault === undefined
        ? { dynamoDb: aws.dynamoDbEndpoint, sqs: aws.sqsEndpoint }
        : await startFaultProxies(aws, options.awsFault, config.host, closers);

    const handlers = new Map<Entry, InvocableHandler>();
    const via =
      (name: Entry): InvocableHandler =>
      (event, context, callback) => {
        const handler = handlers.get(name);
        if (handler === undefined) throw new Error(`handler ${name} is not loaded yet`);
        return handler(event, context, callback);
      };
    const gateway = await startLocalGateway({
      host: config.host,
      port: config.wsPort,
      stage: config.stage,
      ...(options.timeouts === undefined ? {} : { timeouts: options.timeouts }),
      ...(options.managementFault === undefined ? {} : { managementFault: options.managementFault }),
      ...(plan.authorizer === null
        ? {}
        : {
            authorizer: {
              handler: via(plan.authorizer.entry),
              identitySources: plan.authorizer.identitySources,
            },
          }),
      routes: Object.fromEntries(
        plan.webSocketRoutes.map(({ key, entry, twoWay }) => [key, { handler: via(entry), twoWay }]),
      ),
    });
    closers.unshift(() => gateway.close());

    applyLambdaEnvironment({
      [LAMBDA_ENV.mode]: 'dev',
      [LAMBDA_ENV.authMode]: config.authMode,
      ...Object.fromEntries(TABLES.map((table) => [table.nameVariable, LOCAL_RESOURCES.tables[table.name]])),
      ...Object.fromEntries(QUEUES.map((queue) => [queue.urlVariable, queues[queue.name].url])),
      [LAMBDA_ENV.managementEndpoint]: gateway.managementEndpoint,
      [LAMBDA_ENV.tokenSecret]: config.tokenSecret,
      [LAMBDA_ENV.authorizeDeadlineSeconds]: String(config.authorizeDeadlineSeconds),
      [LAMBDA_ENV.directPushLimit]: String(DIRECT_PUSH_LIMIT),
      // Always set: the environment is this process's, and another stack may have set it.
      [LAMBDA_ENV.connectGraceSeconds]: String(
        options.connectGraceSeconds ?? DEFAULT_CONNECT_GRACE_MS / 1000,
      ),
      [LAMBDA_ENV.dynamoDbEndpoint]: endpoints.dynamoDb,
      [LAMBDA_ENV.sqsEndpoint]: endpoints.sqs,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      POWERTOOLS_LOG_LEVEL: options.logLevel ?? config.logLevel,
      POWERTOOLS_SERVICE_NAME: 'pushline-dev',
      // The functions' delivery metrics are CloudWatch EMF lines: on AWS they become metrics, here
      // they would only interleave a JSON line per push with the stack's own output.
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    stacks += 1;
    for (const name of plan.entries) handlers.set(name, await loadHandler(name, stacks));

    const pollers: SqsPoller[] = plan.consumers.map(({ queue, entry, batchSize }) =>
      startSqsPoller({
        client: aws.sqs,
        queueUrl: queues[queue].url,
        queueArn: queues[queue].arn,
        functionName: entry,
        handler: via(entry),
        concurrency: POLLERS[queue],
        batchSize,
        retryVisibilitySeconds: options.retryVisibilitySeconds ?? 2,
        ...(options.onBatch === undefined ? {} : { onBatch: options.onBatch }),
      }),
    );
    closers.unshift(() => Promise.all(pollers.map((poller) => poller.stop())).then(() => undefined));

    const http: HttpApi = await startHttpApi({
      host: config.host,
      port: config.httpPort,
      staticDir: fileURLToPath(new URL('../../public', import.meta.url)),
      pageScripts: { '/app.js': fileURLToPath(new URL('../demo/app.ts', import.meta.url)) },
      pageConfig: { wsUrl: gateway.url, stage: config.stage, authMode: config.authMode },
      routes: plan.httpRoutes.map(({ method, path, entry }) => ({
        method,
        path,
        functionName: entry,
        handler: via(entry),
      })),
    });
    closers.unshift(() => http.close());

    return {
      wsUrl: gateway.url,
      managementEndpoint: gateway.managementEndpoint,
      httpUrl: http.url,
      aws,
      queues,
      gateway,
      close: () => closeAll(closers),
    };
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
}

/**
 * Loads a handler module of `apps/lambda`. Each stack gets fresh module instances (a query
 * on the URL), so a handler's module-scope container reads this stack's environment, as a
 * cold start does.
 */
async function loadHandler(name: Entry, instance: number): Promise<InvocableHandler> {
  const path = createRequire(import.meta.url).resolve(`@pushline/lambda/handlers/${name}`);
  const module = (await import(`${pathToFileURL(path).href}?stack=${instance}`)) as { handler?: unknown };
  if (typeof module.handler !== 'function')
    throw new Error(`@pushline/lambda/handlers/${name} exports no handler`);
  return module.handler as InvocableHandler;
}

async function startFaultProxies(
  aws: LocalAws,
  hook: AwsFaultHook,
  host: string,
  closers: (() => Promise<void>)[],
): Promise<{ dynamoDb: string; sqs: string }> {
  const dynamoDb = await startAwsFaultProxy('dynamodb', aws.dynamoDbEndpoint, hook, host);
  closers.unshift(() => dynamoDb.close());
  const sqs = await startAwsFaultProxy('sqs', aws.sqsEndpoint, hook, host);
  closers.unshift(() => sqs.close());
  return { dynamoDb: dynamoDb.endpoint, sqs: sqs.endpoint };
}

/** Closes in order (HTTP, pollers, gateway, then the peers the others still use), going on past a failure. */
async function closeAll(closers: readonly (() => Promise<void>)[]): Promise<void> {
  let failure: Error | null = null;
  for (const close of closers) {
    try {
      await close();
    } catch (error) {
      failure ??= error instanceof Error ? error : new Error(String(error));
    }
  }
  if (failure !== null) throw failure;
}
