import type { ConnectionId } from '../domain/ids.js';
import { ok, type Outcome } from '../domain/outcome.js';
import type { ConnectionPusher } from '../ports/connection-pusher.js';
import type { ConnectionRepository } from '../ports/connection-repository.js';

export interface EnforceAuthorizeDeadlineInput {
  readonly connectionId: ConnectionId;
}

/** `authorized`: nothing to do. `closed`: the anonymous socket was closed and forgotten. `gone`: it had already left. */
export type EnforceAuthorizeDeadlineOutcome = Outcome<
  { readonly result: 'authorized' | 'closed' | 'gone' },
  never
>;

/**
 * Runs when an anonymous socket's authorize deadline passes: removes its record if it is
 * still anonymous (atomically, so a racing authorize is never undone), then closes it.
 * Idempotent.
 */
export class EnforceAuthorizeDeadline {
  constructor(
    private readonly repository: ConnectionRepository,
    private readonly pusher: ConnectionPusher,
  ) {}

  async execute(input: EnforceAuthorizeDeadlineInput): Promise<EnforceAuthorizeDeadlineOutcome> {
    // The conditional removal decides, not a read: an authorize that lands a moment before
    // it keeps the socket, one that lands after it finds no connection and is refused.
    const removed = await this.repository.removeIfAnonymous(input.connectionId);
    switch (removed) {
      case 'not-found':
        return ok({ result: 'gone' });
      case 'authorized':
        return ok({ result: 'authorized' });
      case 'removed': {
        const closed = await this.pusher.disconnect(input.connectionId);
        return ok({ result: closed.ok ? 'closed' : 'gone' });
      }
    }
  }
}
