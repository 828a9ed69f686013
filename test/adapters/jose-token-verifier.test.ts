import { JoseTokenIssuer, JoseTokenVerifier } from '@pushline/adapters/jose';
import { exportJWK, exportSPKI, generateKeyPair, type JWK, SignJWT } from 'jose';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';
const OTHER_SECRET = 'another-secret-that-is-long-enough-for-hs256';
const ISSUER = 'https://issuer.example';
const AUDIENCE = 'pushline';
const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const now = (): number => Math.floor(Date.now() / 1000);

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

async function hs256(claims: Record<string, unknown>, secret = SECRET, header: Record<string, unknown> = {}) {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', ...header }).sign(encode(secret));
}

describe('JoseTokenVerifier with an HS256 secret', () => {
  const verifier = new JoseTokenVerifier({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE });
  const valid = (extra: Record<string, unknown> = {}) =>
    hs256({ sub: 'user-1', iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 60, ...extra });

  it('accepts a valid token and returns its subject and expiry', async () => {
    const exp = now() + 60;
    const outcome = await verifier.verify(await valid({ exp }));
    expect(outcome).toEqual({ ok: true, value: { userId: 'user-1', expiresAt: exp * 1000 } });
  });

  it('accepts a token issued by JoseTokenIssuer with the same settings', async () => {
    const issuer = new JoseTokenIssuer({
      secret: SECRET,
      issuer: ISSUER,
      audience: AUDIENCE,
      ttlSeconds: 60,
    });
    const { token, expiresAt } = await issuer.issue('user-2');
    expect(await verifier.verify(token)).toEqual({ ok: true, value: { userId: 'user-2', expiresAt } });
  });

  const refusals: [string, () => Promise<string>][] = [
    [
      'alg: none (an unsecured token)',
      () =>
        Promise.resolve(
          `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: 'user-1', iss: ISSUER, aud: AUDIENCE, exp: now() + 60 })}.`,
        ),
    ],
    ['an expired token', () => valid({ exp: now() - 60 })],
    ['a token that is not valid yet', () => valid({ nbf: now() + 3600 })],
    ['a wrong issuer', () => valid({ iss: 'https://evil.example' })],
    ['a wrong audience', () => valid({ aud: 'someone-else' })],
    ['no issuer', () => valid({ iss: undefined })],
    // A token without an expiry would keep a socket authorized forever.
    ['no exp', () => valid({ exp: undefined })],
    ['a lifetime over the maximum (one day by default)', () => valid({ exp: now() + 2 * 86_400 })],
    ['a lifetime over the maximum, counted from iat', () => valid({ iat: now() - 86_400, exp: now() + 60 })],
    [
      'a token signed with another key',
      () => hs256({ sub: 'user-1', iss: ISSUER, aud: AUDIENCE, exp: now() + 60 }, OTHER_SECRET),
    ],
    [
      'a tampered payload',
      async () => {
        const [header, , signature] = (await valid()).split('.');
        const forged = base64url({ sub: 'admin', iss: ISSUER, aud: AUDIENCE, exp: now() + 60 });
        return `${header!}.${forged}.${signature!}`;
      },
    ],
    ['a token without a subject', () => valid({ sub: undefined })],
    ['a subject too long to be a user id', () => valid({ sub: 'x'.repeat(257) })],
    ['a subject with control characters', () => valid({ sub: 'user\n1' })],
    ['text that is not a JWT', () => Promise.resolve('not-a-jwt')],
    ['an empty string', () => Promise.resolve('')],
    [
      'an RS256 token (asymmetric where a secret is configured)',
      async () => {
        const { privateKey } = await generateKeyPair('RS256');
        return new SignJWT({ sub: 'user-1', iss: ISSUER, aud: AUDIENCE, exp: now() + 60 })
          .setProtectedHeader({ alg: 'RS256' })
          .sign(privateKey);
      },
    ],
  ];

  it.each(refusals)('refuses %s with UNAUTHORIZED, never echoing the token', async (_what, make) => {
    const token = await make();
    const outcome = await verifier.verify(token);
    expect(outcome.ok).toBe(false);
    const error = outcome.ok ? null : outcome.error;
    expect(error?.code).toBe('UNAUTHORIZED');
    expect(error?.message.length).toBeGreaterThan(0);
    for (const part of token.split('.').filter((piece) => piece.length >= 8)) {
      expect(error?.message).not.toContain(part);
    }
  });

  it('refuses a token over a configured maximum lifetime, and names the maximum', async () => {
    const strict = new JoseTokenVerifier({
      secret: SECRET,
      issuer: ISSUER,
      audience: AUDIENCE,
      maxLifetimeSeconds: 600,
    });
    expect(await strict.verify(await valid({ exp: now() + 900 }))).toEqual({
      ok: false,
      error: { code: 'UNAUTHORIZED', message: 'the token lives longer than the 600 s accepted' },
    });
    expect(await strict.verify(await valid({ exp: now() + 300 }))).toMatchObject({ ok: true });
    expect(await verifier.verify(await valid({ exp: undefined }))).toEqual({
      ok: false,
      error: { code: 'UNAUTHORIZED', message: "the token has no expiry ('exp')" },
    });
  });

  it('refuses a secret shorter than 32 bytes at construction', () => {
    expect(() => new JoseTokenVerifier({ secret: 'short' })).toThrow(RangeError);
    expect(() => new JoseTokenIssuer({ secret: 'short' })).toThrow(RangeError);
  });
});

describe('JoseTokenVerifier with a JWKS URL', () => {
  let server: Server;
  let jwksUrl: string;
  let keys: Awaited<ReturnType<typeof generateKeyPair>>;
  let requests = 0;

  beforeAll(async () => {
    keys = await generateKeyPair('RS256');
    const jwk: JWK = { ...(await exportJWK(keys.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
    server = createServer((request, response) => {
      requests += 1;
      if (request.url !== '/.well-known/jwks.json') {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const rs256 = (claims: Record<string, unknown>) =>
    new SignJWT({ sub: 'user-9', iss: ISSUER, aud: AUDIENCE, exp: now() + 60, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'key-1' })
      .sign(keys.privateKey);

  it('accepts a token signed by a key of the set', async () => {
    const verifier = new JoseTokenVerifier({ jwksUrl, issuer: ISSUER, audience: AUDIENCE });
    expect(await verifier.verify(await rs256({}))).toMatchObject({ ok: true, value: { userId: 'user-9' } });
    expect(requests).toBeGreaterThan(0);
  });

  it('refuses HS256 signed with the public key (HS/RS confusion)', async () => {
    const verifier = new JoseTokenVerifier({ jwksUrl, issuer: ISSUER, audience: AUDIENCE });
    const publicPem = await exportSPKI(keys.publicKey);
    const forged = await new SignJWT({ sub: 'admin', iss: ISSUER, aud: AUDIENCE, exp: now() + 60 })
      .setProtectedHeader({ alg: 'HS256', kid: 'key-1' })
      .sign(encode(publicPem));
    expect(await verifier.verify(forged)).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
  });

  it('refuses a token signed by a key outside the set', async () => {
    const verifier = new JoseTokenVerifier({ jwksUrl, issuer: ISSUER, audience: AUDIENCE });
    const stranger = await generateKeyPair('RS256');
    const token = await new SignJWT({ sub: 'user-9', iss: ISSUER, aud: AUDIENCE, exp: now() + 60 })
      .setProtectedHeader({ alg: 'RS256', kid: 'key-1' })
      .sign(stranger.privateKey);
    expect(await verifier.verify(token)).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
  });

  it('refuses an expired token and a wrong audience', async () => {
    const verifier = new JoseTokenVerifier({ jwksUrl, issuer: ISSUER, audience: AUDIENCE });
    expect(await verifier.verify(await rs256({ exp: now() - 60 }))).toMatchObject({ ok: false });
    expect(await verifier.verify(await rs256({ aud: 'other' }))).toMatchObject({ ok: false });
  });

  // OIDC requires the audience check: one identity provider issues tokens to many apps.
  it('refuses a token issued to another app of the same identity provider (foreign aud)', async () => {
    const verifier = new JoseTokenVerifier({ jwksUrl, issuer: ISSUER, audience: AUDIENCE });
    expect(await verifier.verify(await rs256({ aud: 'another-app' }))).toEqual({
      ok: false,
      error: { code: 'UNAUTHORIZED', message: "the token's 'aud' claim is not accepted" },
    });
    expect(await verifier.verify(await rs256({ exp: undefined }))).toEqual({
      ok: false,
      error: { code: 'UNAUTHORIZED', message: "the token has no expiry ('exp')" },
    });
    expect(await verifier.verify(await rs256({ exp: now() + 3 * 86_400 }))).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHORIZED' },
    });
  });

  it('refuses at construction a JWKS without both an issuer and an audience', () => {
    expect(() => new JoseTokenVerifier({ jwksUrl, issuer: ISSUER })).toThrow(
      'a JWKS verifier needs both an issuer and an audience to check',
    );
    expect(() => new JoseTokenVerifier({ jwksUrl, audience: AUDIENCE })).toThrow(RangeError);
  });

  it('throws, rather than refusing, when the key set cannot be fetched', async () => {
    const verifier = new JoseTokenVerifier({
      jwksUrl: jwksUrl.replace('jwks.json', 'missing.json'),
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    await expect(verifier.verify(await rs256({}))).rejects.toThrow();
  });

  it('refuses symmetric algorithms for a JWKS at construction', () => {
    const claims = { issuer: ISSUER, audience: AUDIENCE };
    expect(() => new JoseTokenVerifier({ jwksUrl, algorithms: ['HS256'], ...claims })).toThrow(RangeError);
    expect(() => new JoseTokenVerifier({ jwksUrl, algorithms: ['none'], ...claims })).toThrow(RangeError);
  });
});
