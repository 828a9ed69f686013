import type { ConnectionId, UserId } from '../domain/ids.js';
import { fail, ok, type Outcome } from '../domain/outcome.js';
import type { Clock } from '../ports/clock.js';
import type { ConnectionRepository } from '../ports/connection-repository.js';
import type { DeadlineScheduler } from '../ports/deadline-scheduler.js';
import type { TokenVerifier } from '../ports/token-verifier.js';
import { tokenExpiryDeadline } from './enforce-token-expiry.js';

export interface AuthorizeInput {
  readonly connectionId: ConnectionId;
  readonly token: string;
}

/** The user the connection now belongs to, and when this authorization ends (epoch ms). */
export type AuthorizeOutcome = Outcome<
  { readonly userId: UserId; readonly expiresAt: number },
  'UNAUTHORIZED'
>;

/** Where {@link Authorize} and `Connect` schedule the check of a token's expiry. */
export interface TokenExpiryScheduling {
  readonly deadlines: DeadlineScheduler;
  readonly clock: Clock;
}

/**
 * In-band authorization: verifies a token and marks the connection as its user's, until the
 * token's `exp`.
 *
 * Refuses with `UNAUTHORIZED` (the connection stays as it was) a bad token, an unknown
 * connection, or a connection already authorized as another user: a connection's user
 * never changes. Authorizing again as the same user succeeds and moves the connection's
 * authorization expiry to the new token's, without reconnecting.
 *
 * Given {@link TokenExpiryScheduling}, it schedules the expiry check before it writes the
 * record, so an authorization is never stored without one (a scheduling fault is thrown and
 * nothing changes; a check for an authorization that was then refused finds nothing to do).
 * Without it, the transport enforces the expiry itself (a timer in the standalone server).
 */
export class Authorize {
  constructor(
    private readonly repository: ConnectionRepository,
    private readonly verifier: TokenVerifier,
    private readonly expiry?: TokenExpiryScheduling,
  ) {}

  async execute(input: AuthorizeInput): Promise<AuthorizeOutcome> {
    const verified = await this.verifier.verify(input.token);
    if (!verified.ok) return verified;
    const { userId, expiresAt } = verified.value;
    if (this.expiry !== undefined) {
      const { deadlines, clock } = this.expiry;
      await deadlines.schedule(tokenExpiryDeadline(input.connectionId, expiresAt, clock.now()));
    }
    const assigned = await this.repository.assignUser(input.connectionId, userId, expiresAt);
    if (assigned.ok) return ok({ userId, expiresAt });
    switch (assigned.error.code) {
      case 'USER_CONFLICT':
        return fail('UNAUTHORIZED', 'this connection is already authorized as another user');
      case 'CONNECTION_NOT_FOUND':
        return fail('UNAUTHORIZED', 'this connection is not registered');
    }
  }
}
