// sst.config.ts evaluated offline with SST's globals stubbed: what it would deploy, checked
// against the handlers, the configuration they read and the permissions they need.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONNECTIONS_TABLE, EXPORTS_TABLE } from '@pushline/adapters/dynamodb';
import { LAMBDA_ROOT, moduleExports, sstConfigBundleErrors } from '@pushline/lambda/build';
import { type Entry, ENTRIES, ENV, envFor } from '@pushline/lambda/config';
import { QUEUE_SETTINGS } from '@pushline/lambda/deployment';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Declared, type DeclaredFunction, installSstStubs, type SstStubs } from './sst-stubs.js';

const REPO_ROOT = join(LAMBDA_ROOT, '..', '..');

interface SstConfig {
  app(input: { stage: string }): Record<string, unknown>;
  run(): Promise<Record<string, unknown>>;
}

let stubs: SstStubs;
let config: SstConfig;

async function evaluate(
  stage: string,
  env: Record<string, string> = {},
): Promise<{ declared: Declared; outputs: Record<string, unknown> }> {
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

/** The permissions each function needs: exactly these actions, on these resources. */
const TABLE = 'arn:aws:dynamodb:us-east-1:000000000000:table/Connections';
const EXPORTS = 'arn:aws:dynamodb:us-east-1:000000000000:table/Exports';
const NOTIFICATIONS = 'arn:aws:dynamodb:us-east-1:000000000000:table/Notifications';
const queue = (name: string): string => `arn:aws:sqs:us-east-1:000000000000:${name}`;
const MANAGE = 'arn:aws:execute-api:us-east-1:000000000000:wsapi/*/*/@connections/*';
const EXPECTED_PERMISSIONS: Record<Entry, Record<string, string[]>> = {
  authorizer: {},
  connect: { 'dynamodb:PutItem': [TABLE], 'sqs:SendMessage': [queue('Deadlines')] },
  disconnect: { 'dynamodb:DeleteItem': [TABLE] },
  default: { 'dynamodb:GetItem': [TABLE], 'dynamodb:UpdateItem': [TABLE] },
  ping: {},
  authorize: { 'dynamodb:GetItem': [TABLE], 'dynamodb:UpdateItem': [TABLE] },
  'notify-user': {
    'dynamodb:Query': [`${TABLE}/index/${CONNECTIONS_TABLE.byUserIndex.name}`],
    'sqs:SendMessage': [queue('NotifyConnection')],
    'dynamodb:DeleteItem': [TABLE],
    'dynamodb:GetItem': [TABLE, NOTIFICATIONS],
    'dynamodb:PutItem': [NOTIFICATIONS],
    'execute-api:ManageConnections': [MANAGE],
  },
  'notify-connection': {
    'dynamodb:DeleteItem': [TABLE],
    'dynamodb:GetItem': [TABLE],
    'execute-api:ManageConnections': [MANAGE],
  },
  resume: { 'dynamodb:GetItem': [TABLE, NOTIFICATIONS], 'dynamodb:Query': [NOTIFICATIONS] },
  deadline: {
    'dynamodb:GetItem': [TABLE],
    'dynamodb:DeleteItem': [TABLE],
    'execute-api:ManageConnections': [MANAGE],
  },
  token: {},
  'create-export': { 'dynamodb:PutItem': [EXPORTS], 'sqs:SendMessage': [queue('NotifyUser')] },
  'get-export': { 'dynamodb:GetItem': [EXPORTS] },
};

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
    expect(routes.map(([key, entry]) => [key, entry])).toEqual([
      ['$connect', 'connect'],
      ['$disconnect', 'disconnect'],
      ['$default', 'default'],
      ['ping', 'ping'],
      ['authorize', 'authorize'],
      ['resume', 'resume'],
    ]);
    const twoWay = routes.filter(([, , args]) =>
      JSON.stringify(args ?? {}).includes('routeResponseSelectionExpression'),
    );
    expect(twoWay.map(([key]) => key)).toEqual(['$default', 'ping', 'authorize', 'resume']);
    expect(declared.routeResponses).toEqual(
      ['$default', 'ping', 'authorize', 'resume'].map((key) => ({
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
    expect(httpRoutes(dev)).toEqual([
      ['POST /token', 'token'],
      ['POST /exports', 'create-export'],
      ['GET /exports/{id}', 'get-export'],
    ]);
    const { declared: production } = await evaluate('production');
    expect(httpRoutes(production).map(([key]) => key)).toEqual(['POST /exports', 'GET /exports/{id}']);
  });

  it('subscribes one function per queue with partial batch responses, and gives every queue a dead-letter queue', async () => {
    const { declared } = await evaluate('production');
    const subscribers = declared.functions.flatMap(({ at, fn }) =>
      at.kind === 'subscriber' ? [[at.queue, entryOf(fn), at.args]] : [],
    );
    expect(subscribers).toEqual([
      ['NotifyUser', 'notify-user', { batch: { size: 10, partialResponses: true } }],
      ['NotifyConnection', 'notify-connection', { batch: { size: 10, partialResponses: true } }],
      ['Deadlines', 'deadline', { batch: { size: 10, partialResponses: true } }],
    ]);
    expect(QUEUE_SETTINGS).toEqual({ maxReceiveCount: 5, visibilityTimeoutSeconds: 120 });
    for (const name of ['NotifyUser', 'NotifyConnection', 'Deadlines']) {
      expect(declared.queues[name]).toEqual({
        // The same settings pnpm dev gives its local queues (apps/local/src/dev/stack.ts).
        dlq: { queue: queue(`${name}Dlq`), retry: QUEUE_SETTINGS.maxReceiveCount },
        visibilityTimeout: `${QUEUE_SETTINGS.visibilityTimeoutSeconds} seconds`,
      });
      expect(Object.keys(declared.queues)).toContain(`${name}Dlq`);
    }
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
    ['production', { [ENV.jwksUrl]: 'https://idp.example/.well-known/jwks.json' }],
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
      const needsKeys = ENTRIES[entry].some((need) => need === 'tokens' || need === 'issuer');
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
    const jwks = 'https://idp.example/.well-known/jwks.json';
    const { declared } = await evaluate('production', { [ENV.jwksUrl]: jwks });
    expect(declared.secrets).toEqual([]);
    const authorizer = declared.functions.find(({ at }) => at.kind === 'authorizer');
    expect(authorizer?.fn.environment).toEqual({ [ENV.mode]: 'production', [ENV.jwksUrl]: jwks });
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
  });

  it('bundles every function as build:lambdas does: ESM on nodejs22.x, the AWS SDK from the runtime', async () => {
    const { declared } = await evaluate('production');
    for (const { fn } of declared.functions) {
      expect(fn.runtime).toBe('nodejs22.x');
      expect(fn.nodejs).toEqual({ format: 'esm', minify: true, esbuild: { external: ['@aws-sdk/*'] } });
    }
  });
});
