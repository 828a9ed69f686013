import type { UserId } from '../domain/ids.js';
import type { Outcome } from '../domain/outcome.js';

/** The part of a verified token the core uses. */
export interface VerifiedToken {
  /** The user the token was issued to (its subject). */
  readonly userId: UserId;
  /** When the token expires, in epoch milliseconds. A token without an expiry is refused. */
  readonly expiresAt: number;
}

/**
 * Checks a bearer token (a JWT in every adapter we ship).
 *
 * Guarantees: a token is accepted only if its signature verifies with a configured key and
 * algorithm (never `alg: none`), it has an expiry (`exp`) and is within its validity window,
 * its lifetime is not over the configured maximum, and its issuer and audience match when
 * configured (a JWKS verifier always has both). Every refusal is `UNAUTHORIZED` with a reason that never
 * contains the token. Faults fetching keys (a JWKS endpoint down) are thrown.
 *
 * @example
 * ```ts
 * const verified = await verifier.verify(token);
 * if (verified.ok) console.log(verified.value.userId);
 * ```
 */
export interface TokenVerifier {
  verify(token: string): Promise<Outcome<VerifiedToken, 'UNAUTHORIZED'>>;
}
