import {
  type Clock,
  fail,
  ok,
  type Outcome,
  type TokenVerifier,
  type UserId,
  type VerifiedToken,
} from '@pushline/core';

/** Options of {@link InMemoryTokenVerifier}. */
export interface InMemoryTokenVerifierOptions {
  /** Decides whether a token has expired; the system time by default. */
  readonly clock?: Clock;
  /** Lifetime of a token {@link InMemoryTokenVerifier.issue} hands out; default 15 minutes. */
  readonly lifetimeMs?: number;
  /** Longest lifetime {@link InMemoryTokenVerifier.verify} accepts; default one day. */
  readonly maxLifetimeMs?: number;
}

interface IssuedToken {
  readonly userId: UserId;
  readonly issuedAt: number;
  /** `null`: issued without an expiry, which `verify` refuses. */
  readonly expiresAt: number | null;
}

const SYSTEM_CLOCK: Clock = { now: () => Date.now() };

/**
 * Tokens from a table: `issue(userId)` hands out an opaque token that verifies as that
 * user until it expires or is `revoke`d. A test double of `TokenVerifier` with no
 * cryptography, keeping its guarantees: a token without an expiry, an expired one and one
 * whose lifetime is over the maximum are refused with `UNAUTHORIZED`.
 */
export class InMemoryTokenVerifier implements TokenVerifier {
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly clock: Clock;
  private readonly lifetimeMs: number;
  private readonly maxLifetimeMs: number;
  private sequence = 0;

  constructor(options: InMemoryTokenVerifierOptions = {}) {
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.lifetimeMs = options.lifetimeMs ?? 15 * 60 * 1000;
    this.maxLifetimeMs = options.maxLifetimeMs ?? 24 * 60 * 60 * 1000;
  }

  /**
   * A new token for the user, valid from now for `lifetimeMs` (the default lifetime when
   * omitted); `lifetimeMs: null` issues one without an expiry.
   */
  issue(userId: UserId, options: { readonly lifetimeMs?: number | null } = {}): string {
    this.sequence += 1;
    const token = `token-${this.sequence}-${userId.length}`;
    const issuedAt = this.clock.now();
    const lifetime = options.lifetimeMs === undefined ? this.lifetimeMs : options.lifetimeMs;
    this.tokens.set(token, { userId, issuedAt, expiresAt: lifetime === null ? null : issuedAt + lifetime });
    return token;
  }

  /** Makes the token invalid. */
  revoke(token: string): void {
    this.tokens.delete(token);
  }

  verify(token: string): Promise<Outcome<VerifiedToken, 'UNAUTHORIZED'>> {
    const issued = this.tokens.get(token);
    if (issued === undefined) return Promise.resolve(fail('UNAUTHORIZED', 'the token is invalid'));
    const { userId, issuedAt, expiresAt } = issued;
    if (expiresAt === null) return Promise.resolve(fail('UNAUTHORIZED', "the token has no expiry ('exp')"));
    if (expiresAt <= this.clock.now()) return Promise.resolve(fail('UNAUTHORIZED', 'the token has expired'));
    if (expiresAt - issuedAt > this.maxLifetimeMs) {
      return Promise.resolve(fail('UNAUTHORIZED', 'the token lives longer than the maximum accepted'));
    }
    return Promise.resolve(ok({ userId, expiresAt }));
  }
}
