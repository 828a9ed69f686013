import type { ConnectionId, UserId } from '../domain/ids.js';
import { fail, ok, type Outcome } from '../domain/outcome.js';
import type { ConnectionRepository } from '../ports/connection-repository.js';
import type { TokenVerifier } from '../ports/token-verifier.js';

export interface AuthorizeInput {
  readonly connectionId: ConnectionId;
  readonly token: string;
}

export type AuthorizeOutcome = Outcome<{ readonly userId: UserId }, 'UNAUTHORIZED'>;

/**
 * In-band authorization: verifies a token and marks the connection as its user's.
 *
 * Refuses with `UNAUTHORIZED` (the connection stays as it was) a bad token, an unknown
 * connection, or a connection already authorized as another user: a connection's user
 * never changes. Authorizing again as the same user succeeds.
 */
export class Authorize {
  constructor(
    private readonly repository: ConnectionRepository,
    private readonly verifier: TokenVerifier,
  ) {}

  async execute(input: AuthorizeInput): Promise<AuthorizeOutcome> {
    const verified = await this.verifier.verify(input.token);
    if (!verified.ok) return verified;
    const assigned = await this.repository.assignUser(input.connectionId, verified.value.userId);
    if (assigned.ok) return ok({ userId: verified.value.userId });
    switch (assigned.error.code) {
      case 'USER_CONFLICT':
        return fail('UNAUTHORIZED', 'this connection is already authorized as another user');
      case 'CONNECTION_NOT_FOUND':
        return fail('UNAUTHORIZED', 'this connection is not registered');
    }
  }
}
