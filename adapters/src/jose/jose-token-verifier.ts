import { fail, isUserId, ok, type Outcome, type TokenVerifier, type VerifiedToken } from '@pushline/core';
import { MIN_SECRET_BYTES } from './min-secret-bytes.js';
import {
  createRemoteJWKSet,
  errors,
  type JWTPayload,
  jwtVerify,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
} from 'jose';
import { webcrypto } from 'node:crypto';

/** Algorithms accepted with a JWKS when none are configured: the asymmetric ones OIDC providers use. */
export const DEFAULT_JWKS_ALGORITHMS = ['RS256', 'ES256'] as const;

/** Keys to verify with: a shared HS256 secret (local and dev), or a JWKS URL (production). */
export type JoseKeySource =
  | {
      /** The HS256 secret, at least 32 bytes once UTF-8 encoded. */
      readonly secret: string;
    }
  | {
      /** The identity provider's JWKS URL (Cognito, Auth0, any OIDC provider). Keys are fetched and cached by jose. */
      readonly jwksUrl: string;
      /** Accepted algorithms; default {@link DEFAULT_JWKS_ALGORITHMS}. */
      readonly algorithms?: readonly string[];
    };

/** Longest token lifetime accepted when none is configured: one day, in seconds. */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 86_400;

/** Options of {@link JoseTokenVerifier}. */
export type JoseTokenVerifierOptions = JoseKeySource & {
  /** Required `iss` claim; required with a JWKS (one identity provider serves many apps). */
  readonly issuer?: string;
  /** Required `aud` claim (one of them); required with a JWKS, as OIDC requires the check. */
  readonly audience?: string;
  /**
   * Longest lifetime accepted, in seconds, from `iat` (when the token has one) and from now
   * to `exp`; default {@link DEFAULT_MAX_TOKEN_LIFETIME_SECONDS}.
   */
  readonly maxLifetimeSeconds?: number;
  /** The claim holding the user id; default `sub`. */
  readonly userIdClaim?: string;
  /** Tolerated clock skew on `exp` and `nbf`, in seconds; default 5. */
  readonly clockToleranceSeconds?: number;
};

/**
 * Verifies JWTs with `jose`.
 *
 * Refuses with `UNAUTHORIZED`: a bad signature, a key or algorithm that is not configured
 * (so never `alg: none`, and no HS/RS confusion: a secret accepts only HS256, a JWKS only
 * asymmetric algorithms), a token without `exp`, an expired or not-yet-valid token, one
 * whose lifetime is over the maximum, a wrong issuer or audience, and a token without a
 * usable user id. With a JWKS, the constructor requires both an issuer and an audience. Messages never contain the token. A JWKS that
 * cannot be fetched is thrown (an infrastructure fault, worth a retry), not refused.
 */
export class JoseTokenVerifier implements TokenVerifier {
  private readonly key:
    { readonly secret: Promise<webcrypto.CryptoKey> } | { readonly jwks: JWTVerifyGetKey };
  private readonly verifyOptions: JWTVerifyOptions;
  private readonly maxLifetimeSeconds: number;

  constructor(private readonly options: JoseTokenVerifierOptions) {
    let algorithms: string[];
    if ('secret' in options) {
      const bytes = new TextEncoder().encode(options.secret);
      if (bytes.byteLength < MIN_SECRET_BYTES) {
        throw new RangeError(`the token secret must be at least ${MIN_SECRET_BYTES} bytes`);
      }
      // Imported once: jose would import raw bytes again on every verify (about 3x the cost
      // of a verify with a ready key, on every connect and authorize).
      const secret = webcrypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, [
        'verify',
      ]);
      this.key = { secret };
      algorithms = ['HS256'];
    } else {
      if (options.issuer === undefined || options.audience === undefined) {
        throw new RangeError('a JWKS verifier needs both an issuer and an audience to check');
      }
      this.key = { jwks: createRemoteJWKSet(new URL(options.jwksUrl)) };
      algorithms = [...(options.algorithms ?? DEFAULT_JWKS_ALGORITHMS)];
      if (algorithms.some((alg) => alg.startsWith('HS') || alg === 'none')) {
        throw new RangeError('a JWKS verifier accepts only asymmetric algorithms');
      }
    }
    const maxLifetime = options.maxLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
    if (!Number.isFinite(maxLifetime) || maxLifetime <= 0) {
      throw new RangeError('the maximum token lifetime must be a positive number of seconds');
    }
    this.maxLifetimeSeconds = maxLifetime;
    this.verifyOptions = {
      algorithms,
      clockTolerance: options.clockToleranceSeconds ?? 5,
      ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
      ...(options.audience === undefined ? {} : { audience: options.audience }),
    };
  }

  async verify(token: string): Promise<Outcome<VerifiedToken, 'UNAUTHORIZED'>> {
    let payload: JWTPayload;
    try {
      ({ payload } =
        'secret' in this.key
          ? await jwtVerify(token, await this.key.secret, this.verifyOptions)
          : await jwtVerify(token, this.key.jwks, this.verifyOptions));
    } catch (error) {
      return refuse(error);
    }
    const { exp, iat } = payload;
    // A token without an expiry would be valid forever, and so would a socket it opened.
    if (typeof exp !== 'number') return fail('UNAUTHORIZED', "the token has no expiry ('exp')");
    const now = Date.now() / 1000;
    if (
      exp - now > this.maxLifetimeSeconds ||
      (typeof iat === 'number' && exp - iat > this.maxLifetimeSeconds)
    ) {
      return fail('UNAUTHORIZED', `the token lives longer than the ${this.maxLifetimeSeconds} s accepted`);
    }
    const userId = payload[this.options.userIdClaim ?? 'sub'];
    if (!isUserId(userId)) return fail('UNAUTHORIZED', 'the token names no valid user');
    return ok({ userId, expiresAt: exp * 1000 });
  }
}

function refuse(error: unknown): Outcome<never, 'UNAUTHORIZED'> {
  if (error instanceof errors.JWTExpired) return fail('UNAUTHORIZED', 'the token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    return fail('UNAUTHORIZED', `the token's '${error.claim}' claim is not accepted`);
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) throw error;
  if (error instanceof errors.JOSEError && error.code === 'ERR_JOSE_GENERIC') throw error;
  if (error instanceof errors.JOSEError) {
    return fail('UNAUTHORIZED', 'the token is invalid');
  }
  throw error;
}
