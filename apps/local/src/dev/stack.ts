import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import {
  createConnectionsTable,
  exportsTableDefinition,
  notificationsTableDefinition,
} from '@pushline/adapters/dynamodb';
import { DEFAULT_CONNECT_GRACE_MS } from '@pushline/core';
import { ENV as LAMBDA_ENV } from '@pushline/lambda/config';
import { DIRECT_PUSH_LIMIT, QUEUE_BATCH_SIZE, QUEUE_SETTINGS } from '@pushline/lambda/deployment';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startLocalGateway, type LocalGateway, type LocalGatewayTimeouts } from '../gateway.js';
import type { InvocableHandler } from '../invoke.js';
import type { ManagementFaultHook } from '../management-api.js';
import { type AwsFaultHook, startAwsFaultProxy } from './aws-faults.js';
import { applyLambdaEnvironment, type DevConfig, type DevLogLevel } from './config.js';
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

/** Names of the local resources, as `sst deploy` would name them in a stage. */
export const LOCAL_RESOURCES = {
  connectionsTable: 'pushline-connections',
  exportsTable: 'pushline-exports',
  notificationsTable: 'pushline-notifications',
  notifyUserQueue: 'pushline-notify-user',
  notifyConnectionQueue: 'pushline-notify-connection',
  deadlinesQueue: 'pushline-deadlines',
} as const;

/**
 * What the local queues are created with. local-aws-sqs (2.0.2) counts a
 * ChangeMessageVisibility as a receive, which AWS does not, and the pollers change the
 * visibility of every record that failed, so a failed delivery counts twice there. Doubling
 * `maxReceiveCount` gives a message as many deliveries before its dead-letter queue as on AWS.
 */
const PEER_QUEUE_SETTINGS = { ...QUEUE_SETTINGS, maxReceiveCount: 2 * QUEUE_SETTINGS.maxReceiveCount };

/**
 * Receive loops on the NotifyConnection queue: Lambda scales SQS pollers with the backlog,
 * and a fan-out puts a user's whole batch list on this queue at once.
 */
const NOTIFY_CONNECTION_POLLERS = 12;

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
  readonly queues: {
    readonly notifyUser: LocalQueue;
    readonly notifyConnection: LocalQueue;
    readonly deadlines: LocalQueue;
  };
  readonly gateway: LocalGateway;
  close(): Promise<void>;
}

/** The `apps/lambda` handler modules the stack loads. */
const HANDLER_NAMES = [
  'authorizer',
  'connect',
  'disconnect',
  'default',
  'ping',
  'authorize',
  'resume',
  'notify-user',
  'notify-connection',
  'deadline',
  'token',
  'create-export',
  'get-export',
] as const;

type HandlerName = (typeof HANDLER_NAMES)[number];

let stacks = 0;

/**
 * Starts the whole AWS-shaped stack in this process: dynalite and local-aws-sqs, the
 * connections and exports tables, the queues with their dead-letter queues, the local
 * API Gateway running `apps/lambda`'s handlers, pollers feeding the SQS handlers, and the
 * REST API with the demo page.
 */
export async function startDevStack(config: DevConfig, options: DevStackOptions = {}): Promise<DevStack> {
  const aws = await startLocalAws(config.host, { sqs: config.sqsPort, dynamoDb: config.dynamoDbPort });
  const closers: (() => Promise<void>)[] = [() => aws.close()];
  try {
    // The peers start empty, in memory: nothing exists yet.
    await createConnectionsTable(aws.dynamoDb, LOCAL_RESOURCES.connectionsTable);
    await aws.dynamoDb.send(new CreateTableCommand(exportsTableDefinition(LOCAL_RESOURCES.exportsTable)));
    await aws.dynamoDb.send(
      new CreateTableCommand(notificationsTableDefinition(LOCAL_RESOURCES.notificationsTable)),
    );
    const [notifyUser, notifyConnection, deadlines] = await Promise.all([
      createQueueWithDeadLetter(aws.sqs, LOCAL_RESOURCES.notifyUserQueue, PEER_QUEUE_SETTINGS),
      createQueueWithDeadLetter(aws.sqs, LOCAL_RESOURCES.notifyConnectionQueue, PEER_QUEUE_SETTINGS),
      createQueueWithDeadLetter(aws.sqs, LOCAL_RESOURCES.deadlinesQueue, PEER_QUEUE_SETTINGS),
    ]);

    // The gateway's port decides the management endpoint the handlers need, so routes
    // call through `handlers`, filled in once the modules are loaded with that environment.
    // With `awsFault`, the handlers reach DynamoDB and SQS through fault proxies.
    const endpoints =
      options.awsFault === undefined
        ? { dynamoDb: aws.dynamoDbEndpoint, sqs: aws.sqsEndpoint }
        : await startFaultProxies(aws, options.awsFault, config.host, closers);

    const handlers = new Map<HandlerName, InvocableHandler>();
    const via =
      (name: HandlerName): InvocableHandler =>
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
      ...(config.authMode === 'connect'
        ? { authorizer: { handler: via('authorizer'), identitySources: ['route.request.querystring.token'] } }
        : {}),
      routes: {
        $connect: { handler: via('connect') },
        $disconnect: { handler: via('disconnect') },
        $default: { handler: via('default'), twoWay: true },
        ping: { handler: via('ping'), twoWay: true },
        authorize: { handler: via('authorize'), twoWay: true },
        resume: { handler: via('resume'), twoWay: true },
      },
    });
    closers.unshift(() => gateway.close());

    applyLambdaEnvironment({
      [LAMBDA_ENV.mode]: 'dev',
      [LAMBDA_ENV.authMode]: config.authMode,
      [LAMBDA_ENV.connectionsTable]: LOCAL_RESOURCES.connectionsTable,
      [LAMBDA_ENV.exportsTable]: LOCAL_RESOURCES.exportsTable,
      [LAMBDA_ENV.notificationsTable]: LOCAL_RESOURCES.notificationsTable,
      [LAMBDA_ENV.notifyUserQueueUrl]: notifyUser.url,
      [LAMBDA_ENV.notifyConnectionQueueUrl]: notifyConnection.url,
      [LAMBDA_ENV.deadlinesQueueUrl]: deadlines.url,
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
    for (const name of HANDLER_NAMES) handlers.set(name, await loadHandler(name, stacks));

    const poll = (queue: LocalQueue, name: HandlerName, concurrency: number): SqsPoller =>
      startSqsPoller({
        client: aws.sqs,
        queueUrl: queue.url,
        queueArn: queue.arn,
        functionName: name,
        handler: via(name),
        concurrency,
        batchSize: QUEUE_BATCH_SIZE,
        retryVisibilitySeconds: options.retryVisibilitySeconds ?? 2,
        ...(options.onBatch === undefined ? {} : { onBatch: options.onBatch }),
      });
    const pollers = [
      poll(notifyUser, 'notify-user', 4),
      poll(notifyConnection, 'notify-connection', NOTIFY_CONNECTION_POLLERS),
      poll(deadlines, 'deadline', 2),
    ];
    closers.unshift(() => Promise.all(pollers.map((poller) => poller.stop())).then(() => undefined));

    const http: HttpApi = await startHttpApi({
      host: config.host,
      port: config.httpPort,
      staticDir: fileURLToPath(new URL('../../public', import.meta.url)),
      pageScripts: { '/app.js': fileURLToPath(new URL('../demo/app.ts', import.meta.url)) },
      pageConfig: { wsUrl: gateway.url, stage: config.stage, authMode: config.authMode },
      routes: [
        { method: 'POST', path: '/token', functionName: 'token', handler: via('token') },
        { method: 'POST', path: '/exports', functionName: 'create-export', handler: via('create-export') },
        { method: 'GET', path: '/exports/{id}', functionName: 'get-export', handler: via('get-export') },
      ],
    });
    closers.unshift(() => http.close());

    return {
      wsUrl: gateway.url,
      managementEndpoint: gateway.managementEndpoint,
      httpUrl: http.url,
      aws,
      queues: { notifyUser, notifyConnection, deadlines },
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
async function loadHandler(name: HandlerName, instance: number): Promise<InvocableHandler> {
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
