import { readdir } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  InMemoryConnectionRepository,
  InMemoryNotificationStream,
  ManualClock,
} from '@pushline/adapters/memory';
import { ENTRIES, type Entry, ENV, envFor, loadConfig } from '@pushline/lambda/config';
import { anonymousRoute } from '@pushline/lambda/anonymous-route';
import { TOKENS } from '@pushline/lambda/tokens';
import { HANDLERS_DIR } from '@pushline/lambda/build';
import { type ConnectionRepository, PingAction, ResumeAction, type Route } from '@pushline/core';
import type * as PingEntry from '@pushline/lambda/entries/ping';
import { describe, expect, it } from 'vitest';

const SECRET = 'a-test-secret-that-is-at-least-32-bytes-long';

/** Every variable any entry point reads, set to something valid. */
export const FULL_ENV: Record<string, string> = {
  [ENV.mode]: 'dev',
  [ENV.authMode]: 'either',
  [ENV.connectionsTable]: 'connections',
  [ENV.exportsTable]: 'exports',
  [ENV.notifyUserQueueUrl]: 'http://127.0.0.1:1/queue/NotifyUser',
  [ENV.notifyConnectionQueueUrl]: 'http://127.0.0.1:1/queue/NotifyConnection',
  [ENV.deadlinesQueueUrl]: 'http://127.0.0.1:1/queue/Deadlines',
  [ENV.managementEndpoint]: 'http://127.0.0.1:1/local',
  [ENV.tokenSecret]: SECRET,
  [ENV.authorizeDeadlineSeconds]: '30',
  [ENV.directPushLimit]: '10',
  [ENV.notificationsTable]: 'notifications',
  [ENV.streamRetentionHours]: '24',
  [ENV.connectGraceSeconds]: '5',
};

const entries = Object.keys(ENTRIES) as Entry[];

/** An entry's composition, `src/composition/entries/<entry>.ts`: each has ping's signature. */
type EntryComposition = typeof PingEntry;
type Container = ReturnType<EntryComposition['compose']>;

async function compositionOf(entry: Entry): Promise<EntryComposition> {
  return (await import(`@pushline/lambda/entries/${entry}`)) as EntryComposition;
}

/** The entry's container, built from only the variables its function is given. */
async function containerOf(entry: Entry, override?: (container: Container) => void): Promise<Container> {
  const { required, optional } = envFor(entry);
  const env = Object.fromEntries([...required, ...optional].map((name) => [name, FULL_ENV[name]]));
  return (await compositionOf(entry)).compose(loadConfig(entry, env), override);
}

/** The adapters' tokens: what loads an AWS SDK client or jose. */
const ADAPTER_TOKENS = [
  TOKENS.DynamoDbClient,
  TOKENS.SqsClient,
  TOKENS.ConnectionRepository,
  TOKENS.ExportRepository,
  TOKENS.MessageQueue,
  TOKENS.DeadlineScheduler,
  TOKENS.ConnectionPusher,
  TOKENS.TokenVerifier,
  TOKENS.TokenIssuer,
  TOKENS.NotificationStream,
];

describe('the Lambda composition root', () => {
  it('has one entry in ENTRIES per handler file', async () => {
    const files = (await readdir(HANDLERS_DIR)).map((file) => basename(file, '.ts')).sort();
    expect([...entries].sort()).toEqual(files);
  });

  it.each(entries)(
    "builds the '%s' container from only that function's variables, and resolves every token it binds",
    async (entry) => {
      const container = await containerOf(entry);
      const bound = Object.values(TOKENS).filter((token) => container.isBound(token));
      expect(bound.filter((token) => container.get(token) === undefined)).toEqual([]);
      expect(bound.length).toBeGreaterThan(3);
    },
  );

  it('binds every token in some entry', async () => {
    const containers = await Promise.all(entries.map((entry) => containerOf(entry)));
    const unbound = Object.entries(TOKENS)
      .filter(([, token]) => !containers.some((container) => container.isBound(token)))
      .map(([name]) => name);
    expect(unbound).toEqual([]);
  });

  it.each(['ping', 'default', 'token', 'authorizer'] as const)(
    "binds in '%s' only the adapters its entry needs",
    async (entry) => {
      const container = await containerOf(entry);
      const adapters = ADAPTER_TOKENS.filter((token) => container.isBound(token)).map(
        (token) => token.description,
      );
      const expected = {
        ping: [],
        default: [],
        token: ['pushline.lambda.TokenIssuer'],
        authorizer: ['pushline.lambda.TokenVerifier'],
      };
      expect(adapters).toEqual(expected[entry]);
    },
  );

  it('answers ping, and a frame of no route, without a connection registry', async () => {
    const ping = (await containerOf('ping')).get<Route>(TOKENS.Route);
    const outcome = await ping.execute({ connectionId: 'c1', body: '{"action":"ping","requestId":"r1"}' });
    expect(JSON.parse(outcome.payload)).toEqual({ type: 'pong', requestId: 'r1' });
    const unrouted = (await containerOf('default')).get<Route>(TOKENS.Route);
    const unknown = await unrouted.execute({ connectionId: 'c1', body: '{"action":"shout"}' });
    expect(unknown.code).toBe('UNKNOWN_ACTION');
    expect((await unrouted.execute({ connectionId: 'c1', body: 'not json' })).code).toBe('MALFORMED_FRAME');
  });

  it('composes a registry-free Route only of actions open to anonymous senders', () => {
    const stream = new InMemoryNotificationStream({ clock: new ManualClock(0) });
    expect(() => anonymousRoute([new PingAction(), new ResumeAction(stream)])).toThrow(
      "these actions need the connection registry: 'resume'",
    );
  });

  it('pushes in place only with a management endpoint, and refuses a limit over one batch', () => {
    const base = { ...FULL_ENV, [ENV.managementEndpoint]: '' };
    expect(() => loadConfig('notify-user', base)).toThrow(
      `${ENV.managementEndpoint} is required when ${ENV.directPushLimit} is above 0`,
    );
    expect(() => loadConfig('notify-user', { ...FULL_ENV, [ENV.directPushLimit]: '11' })).toThrow(
      `${ENV.directPushLimit} must be an integer from 0 to 10`,
    );
    expect(loadConfig('notify-user', { ...base, [ENV.directPushLimit]: '0' }).directPushLimit).toBe(0);
    expect(loadConfig('notify-user', FULL_ENV).directPushLimit).toBe(10);
  });

  it('binds the pusher in notify-user only for in-place pushes', async () => {
    const { compose } = await compositionOf('notify-user');
    const queued = compose(loadConfig('notify-user', { ...FULL_ENV, [ENV.directPushLimit]: '0' }));
    expect(queued.isBound(TOKENS.ConnectionPusher)).toBe(false);
    expect(queued.get(TOKENS.NotifyUser)).toBeDefined();
    const direct = compose(loadConfig('notify-user', FULL_ENV));
    expect(direct.isBound(TOKENS.ConnectionPusher)).toBe(true);
  });

  it('resolves singletons: the same instance on every get', async () => {
    const container = await containerOf('notify-user');
    expect(container.get(TOKENS.NotifyUser)).toBe(container.get(TOKENS.NotifyUser));
    expect(container.get(TOKENS.ConnectionRepository)).toBe(container.get(TOKENS.ConnectionRepository));
    expect(container.get(TOKENS.DynamoDbClient)).toBe(container.get(TOKENS.DynamoDbClient));
  });

  it('lets a test rebind a port before use cases are resolved', async () => {
    const repository = new InMemoryConnectionRepository();
    const container = await containerOf('disconnect', (c) => {
      c.rebind<ConnectionRepository>(TOKENS.ConnectionRepository).toConstantValue(repository);
    });
    await repository.save({ connectionId: 'c1', userId: null, connectedAt: 0, expiresAt: 1 });
    const disconnect = container.get<{ execute(input: { connectionId: string }): Promise<unknown> }>(
      TOKENS.Disconnect,
    );
    await disconnect.execute({ connectionId: 'c1' });
    expect(await repository.find('c1')).toBeNull();
    expect(container.isBound(TOKENS.Connect)).toBe(false);
  });

  it('says which variable is missing when a module needs what its entry lacks', async () => {
    const { compose } = await compositionOf('connect');
    const config = { ...loadConfig('connect', FULL_ENV), tokenKeys: null };
    expect(() => compose(config).get(TOKENS.Connect)).toThrow(
      `${ENV.jwksUrl} or ${ENV.tokenSecret} is not configured`,
    );
  });
});

describe('loadConfig', () => {
  it('names every missing variable in one error', () => {
    expect(() => loadConfig('connect', {})).toThrow(
      [
        "invalid configuration of 'connect':",
        `  - ${ENV.mode} is required`,
        `  - ${ENV.connectionsTable} is required`,
        `  - ${ENV.authMode} is required`,
        `  - ${ENV.deadlinesQueueUrl} is required`,
        `  - ${ENV.jwksUrl} or ${ENV.tokenSecret} is required`,
      ].join('\n'),
    );
  });

  it('refuses invalid values', () => {
    const env = {
      ...FULL_ENV,
      [ENV.mode]: 'staging',
      [ENV.tokenSecret]: 'short',
      [ENV.authorizeDeadlineSeconds]: '901',
      [ENV.deadlinesQueueUrl]: 'queue',
    };
    const error = (() => {
      try {
        loadConfig('connect', env);
      } catch (caught) {
        return caught instanceof Error ? caught.message : '';
      }
      return '';
    })();
    expect(error).toContain(`${ENV.mode} must be one of dev, production, got 'staging'`);
    expect(error).toContain(`${ENV.tokenSecret} must be at least 32 bytes`);
    expect(error).toContain(`${ENV.authorizeDeadlineSeconds} must be an integer from 1 to 900, got '901'`);
    expect(error).toContain(`${ENV.deadlinesQueueUrl} must be an http(s) URL`);
  });

  it('reads only the variables of its entry point', () => {
    const config = loadConfig('disconnect', FULL_ENV);
    expect(config).toMatchObject({
      connectionsTable: 'connections',
      tokenKeys: null,
      managementEndpoint: null,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('prefers a JWKS URL to a secret for verifying, with its issuer and audience', () => {
    const jwks = {
      ...FULL_ENV,
      [ENV.jwksUrl]: 'https://issuer.example/.well-known/jwks.json',
      [ENV.tokenIssuer]: 'https://issuer.example/',
      [ENV.tokenAudience]: 'pushline',
    };
    expect(loadConfig('authorizer', jwks).tokenKeys).toEqual({ kind: 'jwks', jwksUrl: jwks[ENV.jwksUrl] });
    expect(() => loadConfig('token', { ...FULL_ENV, [ENV.tokenSecret]: '' })).toThrow(
      `${ENV.tokenSecret} is required`,
    );
  });

  // A token issued to another app of the same identity provider must not open a socket here.
  it('refuses a JWKS URL without both an issuer and an audience, in every mode', () => {
    for (const mode of ['production', 'dev']) {
      const env = { ...FULL_ENV, [ENV.mode]: mode, [ENV.jwksUrl]: 'https://issuer.example/jwks.json' };
      expect(() => loadConfig('authorizer', env)).toThrow(
        [
          "invalid configuration of 'authorizer':",
          `  - ${ENV.tokenIssuer} is required with ${ENV.jwksUrl}`,
          `  - ${ENV.tokenAudience} is required with ${ENV.jwksUrl}`,
        ].join('\n'),
      );
      expect(() => loadConfig('authorize', { ...env, [ENV.tokenIssuer]: 'https://issuer.example/' })).toThrow(
        `${ENV.tokenAudience} is required with ${ENV.jwksUrl}`,
      );
    }
  });

  // On a dev stage with a JWKS, POST /token used to sign HS256 tokens no verifier accepted.
  it('refuses to issue tokens where the verifiers use a JWKS', () => {
    const env = { ...FULL_ENV, [ENV.jwksUrl]: 'https://issuer.example/jwks.json' };
    expect(() => loadConfig('token', env)).toThrow(
      `${ENV.jwksUrl} is set: POST /token would issue HS256 tokens that every verifier refuses`,
    );
  });

  it('reads the maximum token lifetime and the log level, and refuses bad ones', () => {
    expect(loadConfig('authorize', FULL_ENV).tokenMaxLifetimeSeconds).toBe(86_400);
    expect(
      loadConfig('authorize', { ...FULL_ENV, [ENV.tokenMaxLifetimeSeconds]: '3600' }).tokenMaxLifetimeSeconds,
    ).toBe(3_600);
    expect(() => loadConfig('authorize', { ...FULL_ENV, [ENV.tokenMaxLifetimeSeconds]: '10' })).toThrow(
      `${ENV.tokenMaxLifetimeSeconds} must be an integer from 60 to 604800, got '10'`,
    );
    expect(() => loadConfig('ping', { ...FULL_ENV, [ENV.logLevel]: 'loud' })).toThrow(
      `${ENV.logLevel} must be one of DEBUG, INFO, WARN, ERROR, CRITICAL, SILENT, got 'loud'`,
    );
    expect(loadConfig('ping', { ...FULL_ENV, [ENV.logLevel]: 'debug' }).entry).toBe('ping');
  });
});
