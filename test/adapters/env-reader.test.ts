import { MIN_SECRET_BYTES } from '@pushline/adapters/jose';
import { EnvReader, TOKEN_ENV } from '@pushline/adapters/system';
import { loadConfig } from '@pushline/server';
import { loadDevConfig } from '@pushline/local/dev';
import { loadConfig as loadGatewayConfig } from '@pushline/local';
import { loadConfig as loadLambdaConfig } from '@pushline/lambda/config';
import { describe, expect, it } from 'vitest';

describe('EnvReader', () => {
  it('reads trimmed values, treats blank as unset, and checks integers and choices', () => {
    const vars = new EnvReader({ A: '  x ', B: '', N: '42', M: 'blue' });
    expect(vars.string('A')).toBe('x');
    expect(vars.string('B')).toBeNull();
    expect(vars.integer('N', 1, 0, 100)).toBe(42);
    expect(vars.integer('MISSING', 7, 0, 100)).toBe(7);
    expect(vars.oneOf('M', ['red', 'blue'], 'red')).toBe('blue');
    expect(() => {
      vars.throwIfInvalid();
    }).not.toThrow();
  });

  it('names every invalid variable in one error', () => {
    const vars = new EnvReader({ N: '3.5', M: 'green' });
    expect(vars.integer('N', 1, 0, 10)).toBe(1);
    expect(vars.oneOf('M', ['red', 'blue'], 'red')).toBe('red');
    vars.problem('X is required');
    expect(() => {
      vars.throwIfInvalid();
    }).toThrow(
      "invalid configuration:\n  - N must be an integer from 0 to 10, got '3.5'\n  - M must be one of red, blue, got 'green'\n  - X is required",
    );
  });

  it('checks required values, URLs, secrets and stage names, and lists its problems in order', () => {
    const vars = new EnvReader({
      U: 'ftp://x',
      OK_URL: 'https://x.example/',
      S: 'x'.repeat(MIN_SECRET_BYTES - 1),
      LONG: 'é'.repeat(MIN_SECRET_BYTES / 2),
      STAGE: 'my stage',
    });
    expect(vars.required('MISSING')).toBeNull();
    expect(vars.url('U')).toBe('ftp://x');
    expect(vars.url('OK_URL')).toBe('https://x.example/');
    expect(vars.secret('S')).toBe('x'.repeat(MIN_SECRET_BYTES - 1));
    expect(vars.secret('LONG')).toBe('é'.repeat(MIN_SECRET_BYTES / 2));
    expect(vars.stage('STAGE', 'local')).toBe('my stage');
    expect(vars.stage('UNSET_STAGE', 'local')).toBe('local');
    expect(vars.problems).toEqual([
      'MISSING is required',
      'U must be an http(s) URL',
      `S must be at least ${MIN_SECRET_BYTES} bytes`,
      "STAGE must match [A-Za-z0-9_-]+, got 'my stage'",
    ]);
  });

  it('reads the token settings, and requires both claims with a JWKS unless told otherwise', () => {
    const env = {
      [TOKEN_ENV.jwksUrl]: 'https://idp.example/jwks.json',
      [TOKEN_ENV.tokenIssuer]: 'https://idp.example/',
    };
    const strict = new EnvReader(env);
    expect(strict.tokenSettings()).toEqual({
      secret: null,
      jwksUrl: 'https://idp.example/jwks.json',
      issuer: 'https://idp.example/',
      audience: null,
    });
    expect(strict.problems).toEqual([`${TOKEN_ENV.tokenAudience} is required with ${TOKEN_ENV.jwksUrl}`]);
    const lenient = new EnvReader(env);
    lenient.tokenSettings({ claimsWithJwks: false });
    expect(lenient.problems).toEqual([]);
    const lifetime = new EnvReader({ [TOKEN_ENV.tokenMaxLifetimeSeconds]: '30' });
    expect(lifetime.tokenMaxLifetimeSeconds()).toBe(86_400);
    expect(lifetime.problems).toEqual([
      `${TOKEN_ENV.tokenMaxLifetimeSeconds} must be an integer from 60 to 604800, got '30'`,
    ]);
  });

  it('serves the apps: the standalone server and pnpm dev name every bad variable', () => {
    const message = (load: () => unknown): string => {
      try {
        load();
        return '';
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
    };
    const server = message(() => loadConfig({ PUSHLINE_PORT: 'x', PUSHLINE_MODE: 'production' }));
    expect(server).toContain("PUSHLINE_PORT must be an integer from 0 to 65535, got 'x'");
    expect(server).toContain('PUSHLINE_JWKS_URL or PUSHLINE_TOKEN_SECRET is required');
    expect(server).toContain('PUSHLINE_API_KEY is required');
    const dev = message(() => loadDevConfig({ PUSHLINE_WS_PORT: '70000', PUSHLINE_LOG_LEVEL: 'loud' }));
    expect(dev).toContain("PUSHLINE_WS_PORT must be an integer from 0 to 65535, got '70000'");
    expect(dev).toContain("PUSHLINE_LOG_LEVEL must be one of DEBUG, INFO, WARN, ERROR, SILENT, got 'LOUD'");
    expect(loadDevConfig({ PUSHLINE_LOG_LEVEL: 'warn' }).logLevel).toBe('WARN');
    // The three configs check a secret's length and a stage name with the same rules.
    const short = 'x'.repeat(MIN_SECRET_BYTES - 1);
    const tooShort = `${TOKEN_ENV.tokenSecret} must be at least ${MIN_SECRET_BYTES} bytes`;
    expect(message(() => loadConfig({ [TOKEN_ENV.tokenSecret]: short }))).toContain(tooShort);
    expect(message(() => loadDevConfig({ [TOKEN_ENV.tokenSecret]: short }))).toContain(tooShort);
    expect(
      message(() => loadLambdaConfig('authorizer', { PUSHLINE_MODE: 'dev', [TOKEN_ENV.tokenSecret]: short })),
    ).toContain(tooShort);
    expect(message(() => loadDevConfig({ PUSHLINE_STAGE: 'a/b' }))).toContain(
      "PUSHLINE_STAGE must match [A-Za-z0-9_-]+, got 'a/b'",
    );
    expect(message(() => loadGatewayConfig({ PUSHLINE_STAGE: 'a/b' }))).toContain(
      "PUSHLINE_STAGE must match [A-Za-z0-9_-]+, got 'a/b'",
    );
  });
});
