// The TokenVerifier contract (core/src/ports/token-verifier.ts), which every adapter must
// pass. Adapters' test files call describeTokenVerifierContract with a harness that can
// issue tokens the verifier under test should accept, or refuse.
import type { TokenVerifier } from '@pushline/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** What a token the harness issues looks like. */
export interface TokenSpec {
  readonly userId: string;
  /** Seconds from now to its expiry; negative for an expired token; `null` for none. */
  readonly expiresInSeconds: number | null;
}

export interface TokenVerifierHarness {
  /** Verifies with a maximum lifetime of {@link CONTRACT_MAX_LIFETIME_SECONDS}. */
  readonly verifier: TokenVerifier;
  /** A token the verifier's keys, issuer and audience accept (apart from its expiry). */
  issue(spec: TokenSpec): Promise<string>;
  /** A token from someone else: another key, or another app of the same identity provider. */
  foreign(userId: string): Promise<string>;
  dispose(): Promise<void>;
}

/** The maximum lifetime every harness configures. */
export const CONTRACT_MAX_LIFETIME_SECONDS = 3_600;

/** Defines the contract's cases for the verifier `make` builds. */
export function describeTokenVerifierContract(name: string, make: () => Promise<TokenVerifierHarness>): void {
  describe(`${name} keeps the TokenVerifier contract`, () => {
    let harness: TokenVerifierHarness | undefined;
    const h = (): TokenVerifierHarness => {
      if (harness === undefined) throw new Error('the harness was not built');
      return harness;
    };
    beforeAll(async () => {
      harness = await make();
    });
    afterAll(async () => {
      await harness?.dispose();
    });

    it('accepts a valid token and returns its user and expiry, in epoch milliseconds', async () => {
      const before = Date.now();
      const outcome = await h().verifier.verify(await h().issue({ userId: 'user-1', expiresInSeconds: 600 }));
      expect(outcome.ok && outcome.value.userId).toBe('user-1');
      const expiresAt = outcome.ok ? outcome.value.expiresAt : 0;
      // JWTs count in whole seconds: the expiry is within a second of the one asked for.
      expect(expiresAt).toBeGreaterThanOrEqual(before + 599_000);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 601_000);
    });

    const refusals: [string, () => Promise<string>][] = [
      ['a token without an expiry', () => h().issue({ userId: 'user-1', expiresInSeconds: null })],
      ['an expired token', () => h().issue({ userId: 'user-1', expiresInSeconds: -120 })],
      [
        'a token whose lifetime is over the maximum',
        () => h().issue({ userId: 'user-1', expiresInSeconds: CONTRACT_MAX_LIFETIME_SECONDS + 600 }),
      ],
      ['a foreign token', () => h().foreign('user-1')],
      ['text that is no token', () => Promise.resolve('not.a.token')],
      ['an empty string', () => Promise.resolve('')],
    ];
    it.each(refusals)('refuses %s with UNAUTHORIZED, never quoting the token', async (_, make) => {
      const token = await make();
      const outcome = await h().verifier.verify(token);
      expect(outcome.ok ? null : outcome.error.code).toBe('UNAUTHORIZED');
      const message = outcome.ok ? '' : outcome.error.message;
      expect(token.length < 8 || !message.includes(token)).toBe(true);
    });
  });
}
