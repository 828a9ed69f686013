// The standalone server's configuration refusals: production-safe by default.
import { isLoopbackHost, loadConfig } from '@pushline/server';
import { describe, expect, it } from 'vitest';

const SECRET = 'a-server-secret-that-is-long-enough-for-hs256';

describe('the standalone server’s configuration', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])(
    'takes %s for this machine only',
    (host) => {
      expect(isLoopbackHost(host)).toBe(true);
    },
  );

  it.each(['0.0.0.0', '::', '192.168.1.20', 'pushline.example'])(
    'takes %s for one others can reach',
    (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    },
  );

  // Dev mode, the default, used to listen on 0.0.0.0 without a word, serving POST /token to all.
  it('refuses dev mode on an address other machines can reach, unless told it is intended', () => {
    expect(() => loadConfig({ PUSHLINE_HOST: '0.0.0.0' })).toThrow(
      "PUSHLINE_MODE is dev (the default) and PUSHLINE_HOST is '0.0.0.0', which other machines can reach: dev mode serves POST /token to anyone.",
    );
    expect(loadConfig({ PUSHLINE_HOST: '0.0.0.0', PUSHLINE_ALLOW_DEV_ON_NETWORK: 'true' }).mode).toBe('dev');
    const production = loadConfig({
      PUSHLINE_HOST: '0.0.0.0',
      PUSHLINE_MODE: 'production',
      PUSHLINE_TOKEN_SECRET: SECRET,
      PUSHLINE_API_KEY: 'a-production-api-key',
    });
    expect(production.host).toBe('0.0.0.0');
    expect(loadConfig({}).host).toBe('127.0.0.1');
  });

  // A token issued to another app of the same identity provider must not open a socket here.
  it('refuses a JWKS URL without both an issuer and an audience', () => {
    const env = { PUSHLINE_JWKS_URL: 'https://idp.example/jwks.json' };
    expect(() => loadConfig(env)).toThrow('PUSHLINE_TOKEN_ISSUER is required with PUSHLINE_JWKS_URL');
    expect(() => loadConfig({ ...env, PUSHLINE_TOKEN_ISSUER: 'https://idp.example/' })).toThrow(
      'PUSHLINE_TOKEN_AUDIENCE is required with PUSHLINE_JWKS_URL',
    );
    const config = loadConfig({
      ...env,
      PUSHLINE_TOKEN_ISSUER: 'https://idp.example/',
      PUSHLINE_TOKEN_AUDIENCE: 'app',
    });
    expect(config.tokenKeys).toEqual({ kind: 'jwks', jwksUrl: env.PUSHLINE_JWKS_URL });
  });

  it('reads the maximum token lifetime, one day by default', () => {
    expect(loadConfig({}).tokenMaxLifetimeSeconds).toBe(86_400);
    expect(loadConfig({ PUSHLINE_TOKEN_MAX_LIFETIME_SECONDS: '900' }).tokenMaxLifetimeSeconds).toBe(900);
    expect(() => loadConfig({ PUSHLINE_TOKEN_MAX_LIFETIME_SECONDS: '0' })).toThrow(
      'PUSHLINE_TOKEN_MAX_LIFETIME_SECONDS',
    );
  });
});
