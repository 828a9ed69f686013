// The TokenVerifier contract, run against every adapter: the in-memory double, and
// JoseTokenVerifier with an HS256 secret and with a JWKS served from 127.0.0.1.
import { JoseTokenVerifier } from '@pushline/adapters/jose';
import { InMemoryTokenVerifier } from '@pushline/adapters/memory';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CONTRACT_MAX_LIFETIME_SECONDS,
  describeTokenVerifierContract,
  type TokenSpec,
} from '../contracts/token-verifier.contract.js';

const ISSUER = 'https://idp.example';
const AUDIENCE = 'pushline';
const SECRET = 'a-contract-secret-that-is-long-enough-for-hs256';
const now = (): number => Math.floor(Date.now() / 1000);

function claims(spec: TokenSpec, audience = AUDIENCE): Record<string, unknown> {
  return {
    sub: spec.userId,
    iss: ISSUER,
    aud: audience,
    ...(spec.expiresInSeconds === null ? {} : { exp: now() + spec.expiresInSeconds }),
  };
}

describeTokenVerifierContract('InMemoryTokenVerifier', () => {
  const verifier = new InMemoryTokenVerifier({ maxLifetimeMs: CONTRACT_MAX_LIFETIME_SECONDS * 1000 });
  const other = new InMemoryTokenVerifier();
  return Promise.resolve({
    verifier,
    // A negative lifetime gives a token whose expiry is already past.
    issue: (spec: TokenSpec) =>
      Promise.resolve(
        verifier.issue(spec.userId, {
          lifetimeMs: spec.expiresInSeconds === null ? null : spec.expiresInSeconds * 1000,
        }),
      ),
    foreign: (userId: string) => Promise.resolve(`${other.issue(userId)}-from-elsewhere`),
    dispose: () => Promise.resolve(),
  });
});

describeTokenVerifierContract('JoseTokenVerifier with an HS256 secret', () => {
  const verifier = new JoseTokenVerifier({
    secret: SECRET,
    issuer: ISSUER,
    audience: AUDIENCE,
    maxLifetimeSeconds: CONTRACT_MAX_LIFETIME_SECONDS,
  });
  const sign = (body: Record<string, unknown>, secret = SECRET) =>
    new SignJWT(body).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
  return Promise.resolve({
    verifier,
    issue: (spec: TokenSpec) => sign(claims(spec)),
    foreign: (userId: string) =>
      sign(claims({ userId, expiresInSeconds: 600 }), 'another-secret-that-is-long-enough-for-hs256'),
    dispose: () => Promise.resolve(),
  });
});

describeTokenVerifierContract('JoseTokenVerifier with a JWKS', async () => {
  const keys = await generateKeyPair('ES256');
  const jwk: JWK = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  const server = createServer((_, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  const verifier = new JoseTokenVerifier({
    jwksUrl,
    issuer: ISSUER,
    audience: AUDIENCE,
    maxLifetimeSeconds: CONTRACT_MAX_LIFETIME_SECONDS,
  });
  const sign = (body: Record<string, unknown>) =>
    new SignJWT(body).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(keys.privateKey);
  return {
    verifier,
    issue: (spec: TokenSpec) => sign(claims(spec)),
    // Same identity provider, same keys, another app: only the audience tells them apart.
    foreign: (userId: string) => sign(claims({ userId, expiresInSeconds: 600 }, 'another-app')),
    dispose: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
});
