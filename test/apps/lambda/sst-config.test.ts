// sst.config.ts evaluated offline with SST's globals stubbed: what it would deploy, checked
// against the handlers, the configuration they read and the permissions they need.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONNECTIONS_TABLE, EXPORTS_TABLE } from '@pushline/adapters/dynamodb';
import { LAMBDA_ROOT, moduleExports, sstConfigBundleErrors } from '@pushline/lambda/build';
import { type Entry, ENTRIES, ENV, envFor } from '@pushline/lambda/config';
import { QUEUE_SETTINGS } from '@pushline/lambda/deployment';
import {
  CONNECT_AUTHORIZER,
  HTTP_ROUTES,
  httpRouteKey,
  QUEUE_CONSUMER,
  QUEUES,
  WEB_SOCKET_ROUTES,
} from '@pushline/lambda/topology';
import { devStackPlan } from '@pushline/local/dev';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeployedArns, leastPrivilege, leastPrivilegeProblems } from './least-privilege.js';
import { type Declared, type DeclaredFunction, installSstStubs, type SstStubs } from './sst-stubs.js';

const REPO_ROOT = join(LAMBDA_ROOT, '..', '..');

interface SstConfig {
  app(input: { stage: string }): Record<string, unknown>;
  run(): Promise<Record<string, unknown>>;
}

let stubs: SstStubs;
let config: SstConfig;

/** What every evaluation starts from: the token secret set, and the stage `dev` listed as a dev stage. */
const BASE_ENV: Record<string, string> = {
  SST_SECRET_TokenSecret: 'f'.repeat(64),
  PUSHLINE_DEV_STAGES: 'dev',
};

const JWKS_ENV = {
  [ENV.jwksUrl]: 'https://idp.example/.well-known/jwks.json',
  [ENV.tokenIssuer]: 'https://idp.example/',
  [ENV.tokenAudience]: 'pushline',
};

async function evaluate(
  stage: string,
  overrides: Record<string, string> = {},
): Promise<{ declared: Declared; outputs: Record<string, unknown> }> {
  const env = { ...BASE_ENV, ...overrides };
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  stubs.reset(stage);
  try {
    const outputs = await config.run();
    return { declared: stubs.declared, outputs };
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
  }
}

function entryOf(fn: DeclaredFunction): Entry {
  const match = /^apps\/lambda\/src\/handlers\/([a-z-]+)\.handler$/.exec(fn.handler);
  const entry = match?.[1];
  if (entry === undefined || !(entry in ENTRIES)) throw new Error(`unexpected handler ${fn.handler}`);
  return entry as Entry;
}

/** The ARNs the stubs give the resources the functions are granted. */
const queue = (name: string): string => `arn:aws:sqs:us-east-1:000000000000:${name}`;
const STUB_ARNS: DeployedArns = {
  table: (name) => `arn:aws:dynamodb:us-east-1:000000000000:table/${name}`,
  queue,
  manageConnections: 'arn:aws:execute-api:us-east-1:000000000000:wsapi/*/*/@connections/*',
};

/** The permissions each function needs (ENTRIES' grants, least-privilege.ts), with the stubs' ARNs. */
const EXPECTED_PERMISSIONS = leastPrivilege(STUB_ARNS);

function grants(fn: DeclaredFunction): Record<string, string[]> {
  const byAction: Record<string, string[]> = {};
  for (const permission of fn.permissions ?? []) {
    for (const action of permission.actions) {
      byAction[action] = [...(byAction[action] ?? []), ...permission.resources.map(String)].sort();
    }
  }
  return byAction;
}

beforeAll(async () => {
  stubs = installSstStubs();
  const module = (await import(pathToFileURL(join(REPO_ROOT, 'sst.config.ts')).href)) as {
    default: SstConfig;
  };
  config = module.default;
});

afterAll(() => {
  stubs.uninstall();
});

describe('sst.config.ts, evaluated offline', () => {
  it('bundles as the SST CLI bundles it before evaluating: no top-level imports, every import resolves', async () => {
    expect(await sstConfigBundleErrors(join(REPO_ROOT, 'sst.config.ts'))).toEqual([]);
  });

  it('names the app and keeps production resources on removal', () => {
    expect(config.app({ stage: 'production' })).toEqual({
      name: 'pushline',
      home: 'aws',
      removal: 'retain',
      protect: true,
    });
    expect(config.app({ stage: 'dev' })).toMatchObject({ removal: 'remove', protect: false });
  });

  it('points every route, authorizer and subscriber at a handler file that exports `handler`', async () => {
    const { declared } = await evaluate('production');
    const { declared: dev } = await evaluate('dev');
    const handlers = new Set([...declared.functions, ...dev.functions].map(({ fn }) => fn.handler));
    expect([...handlers].map((handler) => entryOf({ handler })).sort()).toEqual(Object.keys(ENTRIES).sort());
    const missing: string[] = [];
    for (const handler of handlers) {
      const file = join(REPO_ROOT, `${handler.slice(0, handler.lastIndexOf('.'))}.ts`);
      if (!existsSync(file) || !(await moduleExports(file)).includes('handler')) missing.push(handler);
    }
    expect(missing).toEqual([]);
  });

  it('declares the WebSocket routes, two-way where a reply goes back, and the authorizer in auth mode connect', async () => {
    const { declared, outputs } = await evaluate('production');
    const routes = declared.functions.flatMap(({ at, fn }) =>
      at.kind === 'ws-route' ? [[at.key, entryOf(fn), at.args]] : [],
    );
    expect(routes.map(([key, entry]) => [key, entry])).toEqual(
      WEB_SOCKET_ROUTES.map(({ key, entry }) => [key, entry]),
    );
    const twoWay = routes.filter(([, , args]) =>
      JSON.stringify(args ?? {}).includes('routeResponseSelectionExpression'),
    );
    const twoWayKeys = WEB_SOCKET_ROUTES.filter((route) => route.twoWay).map(({ key }) => key);
    expect(twoWay.map(([key]) => key)).toEqual(twoWayKeys);
    expect(declared.routeResponses).toEqual(
      twoWayKeys.map((key) => ({
        apiId: 'wsapi',
        routeId: `route:${key}`,
        routeResponseKey: '$default',
      })),
    );
    const authorizers = declared.functions.filter(({ at }) => at.kind === 'authorizer');
    expect(authorizers.map(({ at, fn }) => [at, entryOf(fn)])).toEqual([
      [
        { kind: 'authorizer', name: 'TokenAuthorizer', identitySources: ['route.request.querystring.token'] },
        'authorizer',
      ],
    ]);
    expect(routes[0]?.[2]).toEqual({ auth: { lambda: 'authorizer:TokenAuthorizer' } });
    expect(outputs).toMatchObject({
      websocketUrl: 'wss://wsapi.execute-api.us-east-1.amazonaws.com/$default',
      restUrl: 'https://httpapi.execute-api.us-east-1.amazonaws.com',
      authMode: 'connect',
    });
  });

  it('has no authorizer in auth mode either (dev stages), and serves POST /token only there', async () => {
    const { declared: dev } = await evaluate('dev');
    expect(dev.functions.some(({ at }) => at.kind === 'authorizer')).toBe(false);
    const connect = dev.functions.find(({ at }) => at.kind === 'ws-route' && at.key === '$connect');
    expect(connect?.at).toEqual({ kind: 'ws-route', key: '$connect', args: undefined });
    const httpRoutes = (declared: Declared) =>
      declared.functions.flatMap(({ at, fn }) => (at.kind === 'http-route' ? [[at.key, entryOf(fn)]] : []));
    expect(httpRoutes(dev)).toEqual(HTTP_ROUTES.map((route) => [httpRouteKey(route), route.entry]));
    const { declared: production } = await evaluate('production');
    expect(httpRoutes(production).map(([key]) => key)).toEqual(
      HTTP_ROUTES.filter((route) => !route.devOnly).map(httpRouteKey),
    );
    expect(HTTP_ROUTES.filter((route) => route.devOnly).map(httpRouteKey)).toEqual(['POST /token']);
  });

  it('subscribes one function per queue with partial batch responses, and gives every queue a dead-letter queue', async () => {
    const { declared } = await evaluate('production');
    const subscribers = declared.functions.flatMap(({ at, fn }) =>
      at.kind === 'subscriber' ? [[at.queue, entryOf(fn), at.args]] : [],
    );
    const consumer = (maximumConcurrency: number) => ({
      batch: { size: 10, partialResponses: true },
      transform: { eventSourceMapping: { scalingConfig: { maximumConcurrency } } },
    });
    expect(subscribers).toEqual(
      QUEUES.map((queue) => [queue.name, queue.consumer, consumer(queue.maxConcurrency)]),
    );
    expect(QUEUE_SETTINGS).toEqual({ maxReceiveCount: 5, visibilityTimeoutSeconds: 120 });
    for (const { name } of QUEUES) {
      expect(declared.queues[name]).toEqual({
        // The same settings pnpm dev gives its local queues (apps/local/src/dev/stack.ts).
        dlq: { queue: queue(`${name}Dlq`), retry: QUEUE_SETTINGS.maxReceiveCount },
        visibilityTimeout: `${QUEUE_SETTINGS.visibilityTimeoutSeconds} seconds`,
      });
      // 14 days, SQS's maximum, and an alarm on the depth of every dead-letter queue.
      expect(declared.queues[`${name}Dlq`]).toEqual({
        transform: { queue: { messageRetentionSeconds: 14 * 24 * 3600 } },
      });
      expect(declared.alarms[`${name}DlqAlarm`]).toMatchObject({
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: `queue:${name}Dlq` },
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
      });
    }
    expect(Object.keys(declared.alarms)).toHaveLength(QUEUES.length);
  });

  it('builds the tables from the adapters’ single table definitions', async () => {
    const { declared } = await evaluate('production');
    expect(declared.tables.Connections).toEqual({
      fields: { connectionId: 'string', userId: 'string' },
      primaryIndex: { hashKey: CONNECTIONS_TABLE.partitionKey },
      globalIndexes: { byUser: { hashKey: 'userId', rangeKey: 'connectionId', projection: 'all' } },
      ttl: 'expiresAt',
    });
    expect(declared.tables.Exports).toEqual({
      fields: { ...EXPORTS_TABLE.fields },
      primaryIndex: { hashKey: 'exportId' },
      ttl: 'expiresAt',
    });
  });

  it.each([
    ['production', {}],
    ['production', JWKS_ENV],
    ['dev', {}],
  ] as const)('sets, on %s %j, every variable each function reads and no other', async (stage, env) => {
    const { declared } = await evaluate(stage, env);
    const problems: string[] = [];
    for (const { fn } of declared.functions) {
      const entry = entryOf(fn);
      const { required, optional } = envFor(entry);
      const reads = new Set<string>([...required, ...optional]);
      const set = Object.keys(fn.environment ?? {});
      for (const name of set)
        if (!reads.has(name)) problems.push(`${entry} gets ${name}, which it does not read`);
      for (const name of required) if (!set.includes(name)) problems.push(`${entry} misses ${name}`);
      const needsKeys = ENTRIES[entry].needs.some((need) => need === 'tokens' || need === 'issuer');
      if (needsKeys && !set.includes(ENV.tokenSecret) && !set.includes(ENV.jwksUrl)) {
        problems.push(`${entry} has no token keys`);
      }
      if (set.includes(ENV.dynamoDbEndpoint) || set.includes(ENV.sqsEndpoint)) {
        problems.push(`${entry} points at a local endpoint`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('verifies with the identity provider’s JWKS in production when one is given, and needs no secret then', async () => {
    const { declared } = await evaluate('production', JWKS_ENV);
    expect(declared.secrets).toEqual([]);
    const authorizer = declared.functions.find(({ at }) => at.kind === 'authorizer');
    expect(authorizer?.fn.environment).toEqual({
      [ENV.mode]: 'production',
      ...JWKS_ENV,
      [ENV.logLevel]: 'INFO',
    });
    const { declared: dev } = await evaluate('dev');
    expect(dev.secrets).toEqual(['TokenSecret']);
  });

  it('gives each function only the permissions it needs, and no links', async () => {
    const { declared } = await evaluate('production');
    const { declared: dev } = await evaluate('dev');
    const functions = [...declared.functions, ...dev.functions].map(({ fn }) => fn);
    const granted = Object.fromEntries(functions.map((fn) => [entryOf(fn), grants(fn)]));
    expect(granted).toEqual(EXPECTED_PERMISSIONS);
    expect(functions.filter((fn) => fn.link !== undefined)).toEqual([]);
    expect(leastPrivilegeProblems(granted, STUB_ARNS)).toEqual([]);
  });

  it('grants no rights to an entry that touches no resource, no wildcard, and none no need backs', () => {
    expect(leastPrivilegeProblems(EXPECTED_PERMISSIONS, STUB_ARNS)).toEqual([]);
    const broken = {
      ping: { 'dynamodb:GetItem': [STUB_ARNS.table('Connections')] },
      disconnect: { 'execute-api:ManageConnections': [STUB_ARNS.manageConnections] },
      'get-export': { 'dynamodb:*': [STUB_ARNS.table('Exports')], 'dynamodb:GetItem': ['*'] },
      'create-export': { 'sqs:SendMessage': [STUB_ARNS.queue('Deadlines')] },
      resume: { 'sqs:SendMessage': [STUB_ARNS.table('Notifications')] },
    };
    expect(leastPrivilegeProblems(broken, STUB_ARNS)).toEqual([
      'ping needs no rights, but may dynamodb:GetItem',
      'ping: dynamodb:GetItem on arn:aws:dynamodb:us-east-1:000000000000:table/Connections, which no need of it configures (PUSHLINE_CONNECTIONS_TABLE)',
      'disconnect: execute-api:ManageConnections on arn:aws:execute-api:us-east-1:000000000000:wsapi/*/*/@connections/*, which no need of it configures (PUSHLINE_MANAGEMENT_ENDPOINT)',
      'get-export: wildcard action dynamodb:*',
      'get-export: dynamodb:GetItem on *, not one resource of this deploy',
      'create-export: sqs:SendMessage on arn:aws:sqs:us-east-1:000000000000:Deadlines, which no need of it configures (PUSHLINE_DEADLINES_QUEUE_URL)',
      'resume: sqs:SendMessage on arn:aws:dynamodb:us-east-1:000000000000:table/Notifications, of another service',
    ]);
  });

  it('bundles every function as build:lambdas does: ESM on nodejs24.x, the AWS SDK from the runtime', async () => {
    const { declared } = await evaluate('production');
    for (const { fn } of declared.functions) {
      expect(fn.runtime).toBe('nodejs24.x');
      expect(fn.nodejs).toEqual({ format: 'esm', minify: true, esbuild: { external: ['@aws-sdk/*'] } });
    }
  });
});

describe('sst.config.ts refuses to deploy what would fail later', () => {
  const httpRoutes = (declared: Declared) =>
    declared.functions.flatMap(({ at }) => (at.kind === 'http-route' ? [at.key] : []));

  // `--stage prod` or `staging` used to serve POST /token to the internet.
  it.each(['prod', 'staging', 'preview-42'])(
    'deploys stage %s as production unless dev mode is asked for',
    async (stage) => {
      const { declared, outputs } = await evaluate(stage);
      expect(outputs).toMatchObject({ mode: 'production', authMode: 'connect' });
      expect(httpRoutes(declared)).not.toContain('POST /token');
      const asked = await evaluate(stage, { [ENV.mode]: 'dev' });
      expect(asked.outputs).toMatchObject({ mode: 'dev', authMode: 'either' });
      expect(httpRoutes(asked.declared)).toContain('POST /token');
      const listed = await evaluate(stage, { PUSHLINE_DEV_STAGES: `other, ${stage}` });
      expect(listed.outputs).toMatchObject({ mode: 'dev' });
    },
  );

  // On a dev stage with a JWKS, POST /token issued HS256 tokens that every verifier refused.
  it('serves no POST /token where the verifiers use a JWKS, even in dev mode', async () => {
    const { declared, outputs } = await evaluate('dev', JWKS_ENV);
    expect(outputs).toMatchObject({ mode: 'dev' });
    expect(httpRoutes(declared)).toEqual(HTTP_ROUTES.filter((route) => !route.devOnly).map(httpRouteKey));
    expect(declared.secrets).toEqual([]);
  });

  it('fails the deploy with one error naming every bad value', async () => {
    const failure = evaluate('production', {
      [ENV.authMode]: 'Connect',
      [ENV.directPushLimit]: '25',
      [ENV.jwksUrl]: 'idp.example/.well-known/jwks.json',
      [ENV.authorizeDeadlineSeconds]: '0',
      [ENV.tokenMaxLifetimeSeconds]: 'forever',
      PUSHLINE_LOG_LEVEL: 'chatty',
      PUSHLINE_MAX_CONCURRENCY_NOTIFY_USER: '1',
      PUSHLINE_WS_THROTTLE_RATE: 'fast',
    });
    await expect(failure).rejects.toThrow(
      "sst.config.ts: stage 'production' (production mode) cannot be deployed:",
    );
    const message = await failure.then(
      () => '',
      (error: unknown) => (error instanceof Error ? error.message : ''),
    );
    for (const named of [
      `${ENV.authMode} must be one of connect, either, got 'Connect'`,
      `${ENV.directPushLimit} must be an integer from 0 to 10, got '25'`,
      `${ENV.jwksUrl} must be an http(s) URL`,
      `${ENV.tokenIssuer} is required with ${ENV.jwksUrl}`,
      `${ENV.tokenAudience} is required with ${ENV.jwksUrl}`,
      `${ENV.authorizeDeadlineSeconds} must be an integer from 1 to 900, got '0'`,
      `${ENV.tokenMaxLifetimeSeconds} must be an integer from 60 to 604800, got 'forever'`,
      `${ENV.logLevel} must be one of DEBUG, INFO, WARN, ERROR, CRITICAL, SILENT, got 'chatty'`,
      "PUSHLINE_MAX_CONCURRENCY_NOTIFY_USER must be an integer from 2 to 1000, got '1'",
      "PUSHLINE_WS_THROTTLE_RATE must be an integer from 1 to 10000, got 'fast'",
    ]) {
      expect(message).toContain(named);
    }
    // Each problem once, however many functions read the value.
    expect(message.split(`${ENV.directPushLimit} must be`)).toHaveLength(2);
  });

  it('says what to run when the token secret is missing, and checks its length when set', async () => {
    const missing = evaluate('production', { SST_SECRET_TokenSecret: '' });
    await expect(missing).rejects.toThrow(
      'the secret TokenSecret is not set for stage \'production\': run `npx sst secret set TokenSecret "$(openssl rand -hex 32)" --stage production`',
    );
    await expect(evaluate('production', { SST_SECRET_TokenSecret: 'short' })).rejects.toThrow(
      `${ENV.tokenSecret} must be at least 32 bytes`,
    );
    // With a JWKS there is no secret to set.
    await expect(evaluate('production', { ...JWKS_ENV, SST_SECRET_TokenSecret: '' })).resolves.toBeDefined();
  });

  it('throttles the WebSocket stage, configurably, and sets the log level per stage', async () => {
    const { declared } = await evaluate('production');
    const stage = { defaultRouteSettings: { throttlingRateLimit: 1000, throttlingBurstLimit: 500 } };
    expect(declared.apiArgs.Ws).toEqual({ transform: { stage } });
    const levels = new Set(declared.functions.map(({ fn }) => fn.environment?.[ENV.logLevel]));
    expect([...levels]).toEqual(['INFO']);
    const { declared: dev } = await evaluate('dev', {
      PUSHLINE_WS_THROTTLE_RATE: '50',
      PUSHLINE_WS_THROTTLE_BURST: '20',
      PUSHLINE_MAX_CONCURRENCY_DEADLINES: '3',
    });
    expect(dev.apiArgs.Ws).toEqual({
      transform: { stage: { defaultRouteSettings: { throttlingRateLimit: 50, throttlingBurstLimit: 20 } } },
    });
    expect(new Set(dev.functions.map(({ fn }) => fn.environment?.[ENV.logLevel]))).toEqual(
      new Set(['DEBUG']),
    );
    const deadline = dev.functions.find(({ at }) => at.kind === 'subscriber' && at.queue === 'Deadlines');
    expect(JSON.stringify(deadline?.at)).toContain('"maximumConcurrency":3');
  });
});

describe('the dev stack runs what sst.config.ts deploys on a dev stage', () => {
  it.each(['either', 'connect'] as const)(
    'has the same WebSocket routes, authorizer, queue consumers, HTTP routes and functions in auth mode %s',
    async (authMode) => {
      const { declared } = await evaluate('dev', { [ENV.authMode]: authMode });
      const plan = devStackPlan(authMode);
      const at = <K extends Declared['functions'][number]['at']['kind']>(kind: K) =>
        declared.functions.flatMap(({ at, fn }) =>
          at.kind === kind ? [{ at: at as Extract<typeof at, { kind: K }>, entry: entryOf(fn) }] : [],
        );
      expect(
        at('ws-route').map(({ at: route, entry }) => ({
          key: route.key,
          entry,
          twoWay: JSON.stringify(route.args ?? {}).includes('routeResponseSelectionExpression'),
        })),
      ).toEqual(plan.webSocketRoutes);
      expect(
        at('authorizer').map(({ at: authorizer, entry }) => [authorizer.identitySources, entry]),
      ).toEqual(plan.authorizer === null ? [] : [[plan.authorizer.identitySources, plan.authorizer.entry]]);
      expect(
        at('subscriber').map(({ at: subscriber, entry }) => ({
          queue: subscriber.queue,
          entry,
          batchSize: (subscriber.args as { batch?: { size?: number } } | undefined)?.batch?.size,
        })),
      ).toEqual(plan.consumers);
      expect(at('http-route').map(({ at: route, entry }) => [route.key, entry])).toEqual(
        plan.httpRoutes.map((route) => [httpRouteKey(route), route.entry]),
      );
      // The stack loads every handler module; the deployment leaves the authorizer out in auth mode either.
      const deployed = declared.functions.map(({ fn }) => entryOf(fn));
      expect([...new Set(plan.entries)].sort()).toEqual(
        [...new Set([...deployed, ...(authMode === 'either' ? [CONNECT_AUTHORIZER.entry] : [])])].sort(),
      );
      expect(plan.consumers.every((consumer) => consumer.batchSize === QUEUE_CONSUMER.batchSize)).toBe(true);
    },
  );
});
