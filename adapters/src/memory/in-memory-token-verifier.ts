import { fail, ok, type Outcome, type TokenVerifier, type UserId, type VerifiedToken } from '@pushline/core';

/**
 * Tokens from a table: `issue(userId)` hands out an opaque token that verifies as that
 * user until `revoke`d. A test double of `TokenVerifier` with no cryptography.
 */
export class InMemoryTokenVerifier implements TokenVerifier {
  private readonly tokens = new Map<string, UserId>();
  private sequence = 0;

  /** A new token for the user. */
  issue(userId: UserId): string {
    this.sequence += 1;
    const token = `token-${this.sequence}-${userId.length}`;
    this.tokens.set(token, userId);
    return token;
  }

  /** Makes the token invalid. */
  revoke(token: string): void {
    this.tokens.delete(token);
  }

  verify(token: string): Promise<Outcome<VerifiedToken, 'UNAUTHORIZED'>> {
    const userId = this.tokens.get(token);
    return Promise.resolve(
      userId === undefined ? fail('UNAUTHORIZED', 'the token is invalid') : ok({ userId, expiresAt: null }),
    );
  }
}
