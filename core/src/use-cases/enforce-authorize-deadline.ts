import { closingFrame } from '../domain/closing.js';
import { serializeFrame } from '../domain/frame.js';
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
 * still anonymous (atomically, so a racing authorize is never undone), then tells the socket
 * (`closing`, `AUTHORIZE_TIMEOUT`) and closes it. A record that is already gone is closed
 * too: it may be this deadline's own earlier attempt, whose close failed (throttled, 5xx)
 * after the removal, so a retry still closes the socket. Idempotent.
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
    if (removed === 'authorized') return ok({ result: 'authorized' });
    const told = await this.pusher.push(
      input.connectionId,
      serializeFrame(closingFrame('AUTHORIZE_TIMEOUT')),
    );
    if (!told.ok) return ok({ result: 'gone' });
    const closed = await this.pusher.disconnect(input.connectionId);
    return ok({ result: closed.ok ? 'closed' : 'gone' });
  }
}
