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
 * Runs when an anonymous socket's authorize deadline passes: closes it if it is still
 * anonymous, and removes its record. Idempotent.
 */
export class EnforceAuthorizeDeadline {
  constructor(
    private readonly repository: ConnectionRepository,
    private readonly pusher: ConnectionPusher,
  ) {}

  async execute(input: EnforceAuthorizeDeadlineInput): Promise<EnforceAuthorizeDeadlineOutcome> {
    const connection = await this.repository.find(input.connectionId);
    if (connection === null) return ok({ result: 'gone' });
    if (connection.userId !== null) return ok({ result: 'authorized' });
    const closed = await this.pusher.disconnect(input.connectionId);
    await this.repository.remove(input.connectionId);
    return ok({ result: closed.ok ? 'closed' : 'gone' });
  }
}
