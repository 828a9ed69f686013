import { readdir } from 'node:fs/promises';
import { basename } from 'node:path';
import { InMemoryConnectionRepository } from '@pushline/adapters/memory';
import { type AppConfig, ENTRIES, ENV, envFor, loadConfig } from '@pushline/lambda/config';
import { createContainer } from '@pushline/lambda/container';
import { TOKENS } from '@pushline/lambda/tokens';
import { HANDLERS_DIR } from '@pushline/lambda/build';
import type { ConnectionRepository } from '@pushline/core';
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

const entries = Object.keys(ENTRIES) as (keyof typeof ENTRIES)[];

/** One config with every area set: each entry's config, merged. */
function everyArea(): AppConfig {
  const merged: Record<string, unknown> = {};
  for (const entry of entries) {
    for (const [key, value] of Object.entries(loadConfig(entry, FULL_ENV))) {
      if (value !== null && !(key in merged)) merged[key] = value;
    }
  }
  const config: AppConfig = { ...loadConfig('connect', FULL_ENV), ...merged };
  return config;
}

describe('the Lambda composition root', () => {
  it('has one entry in ENTRIES per handler file', async () => {
    const files = (await readdir(HANDLERS_DIR)).map((file) => basename(file, '.ts')).sort();
    expect([...entries].sort()).toEqual(files);
  });

  it('builds a container that resolves every token', () => {
    const container = createContainer(everyArea());
    const unresolved = Object.values(TOKENS).filter((token) => container.get(token) === undefined);
    expect(unresolved).toEqual([]);
  });

  it.each(entries)("builds the '%s' container from only that function's variables", (entry) => {
    const { required, optional } = envFor(entry);
    const env = Object.fromEntries([...required, ...optional].map((name) => [name, FULL_ENV[name]]));
    expect(() => createContainer(loadConfig(entry, env))).not.toThrow();
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

  it('resolves singletons: the same instance on every get', () => {
    const container = createContainer(loadConfig('notify-user', FULL_ENV));
    expect(container.get(TOKENS.NotifyUser)).toBe(container.get(TOKENS.NotifyUser));
    expect(container.get(TOKENS.ConnectionRepository)).toBe(container.get(TOKENS.ConnectionRepository));
  });

  it('lets a test rebind a port before use cases are resolved', async () => {
    const repository = new InMemoryConnectionRepository();
    const container = createContainer(loadConfig('disconnect', FULL_ENV), (c) => {
      c.rebind<ConnectionRepository>(TOKENS.ConnectionRepository).toConstantValue(repository);
    });
    await repository.save({ connectionId: 'c1', userId: null, connectedAt: 0, expiresAt: 1 });
    const disconnect = container.get<{ execute(input: { connectionId: string }): Promise<unknown> }>(
      TOKENS.Disconnect,
    );
    await disconnect.execute({ connectionId: 'c1' });
    expect(await repository.find('c1')).toBeNull();
    expect(() => container.get(TOKENS.Connect)).toThrow(
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
        `  - ${ENV.authMode} is required`,
        `  - ${ENV.jwksUrl} or ${ENV.tokenSecret} is required`,
        `  - ${ENV.connectionsTable} is required`,
        `  - ${ENV.deadlinesQueueUrl} is required`,
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
    const config = loadConfig('ping', FULL_ENV);
    expect(config).toMatchObject({
      connectionsTable: 'connections',
      tokenKeys: null,
      managementEndpoint: null,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('prefers a JWKS URL to a secret for verifying, and requires the secret for issuing', () => {
    const jwks = { ...FULL_ENV, [ENV.jwksUrl]: 'https://issuer.example/.well-known/jwks.json' };
    expect(loadConfig('authorizer', jwks).tokenKeys).toEqual({ kind: 'jwks', jwksUrl: jwks[ENV.jwksUrl] });
    expect(loadConfig('token', jwks).tokenKeys).toEqual({ kind: 'secret', secret: SECRET });
    const noSecret = { ...jwks, [ENV.tokenSecret]: '' };
    expect(() => loadConfig('token', noSecret)).toThrow(`${ENV.tokenSecret} is required`);
  });
});
