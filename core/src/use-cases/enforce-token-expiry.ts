import { closingFrame } from '../domain/closing.js';
import { MAX_SCHEDULE_AHEAD_MS } from '../domain/connection.js';
import { serializeFrame } from '../domain/frame.js';
import type { ConnectionId } from '../domain/ids.js';
import { ok, type Outcome } from '../domain/outcome.js';
import type { Clock } from '../ports/clock.js';
import type { ConnectionPusher } from '../ports/connection-pusher.js';
import type { ConnectionRepository } from '../ports/connection-repository.js';
import type { TokenExpiryDeadline } from '../domain/deadline-message.js';
import type { DeadlineScheduler } from '../ports/deadline-scheduler.js';

/** Input of {@link EnforceTokenExpiry}: the connection, and the expiry the check was scheduled for. */
export interface EnforceTokenExpiryInput {
  readonly connectionId: ConnectionId;
  readonly expiresAt: number;
}

/**
 * `closed`: the socket was told (`closing`, `TOKEN_EXPIRED`), closed and forgotten. `gone`: it
 * had already left. `renewed`: a fresh token moved its expiry, and that authorization has its
 * own check. `rescheduled`: the expiry is further away than a scheduler can delay, so the
 * check was scheduled again. `not-due`: the expiry has not come yet and no scheduler was
 * given (a timer transport arms its timer again).
 */
export type EnforceTokenExpiryOutcome = Outcome<
  { readonly result: 'closed' | 'gone' | 'renewed' | 'rescheduled' | 'not-due' },
  never
>;

/**
 * The check of one token expiry: the earliest of `expiresAt` and the scheduler's 15-minute
 * horizon ({@link MAX_SCHEDULE_AHEAD_MS}).
 */
export function tokenExpiryDeadline(
  connectionId: ConnectionId,
  expiresAt: number,
  now: number,
): TokenExpiryDeadline {
  return {
    kind: 'token-expiry',
    connectionId,
    at: Math.min(expiresAt, now + MAX_SCHEDULE_AHEAD_MS),
    expiresAt,
  };
}

/**
 * Runs when an authorized socket's token expiry may have come: closes the socket if it is
 * still authorized until `expiresAt` and that time has passed. It sends the `closing` frame
 * first, then closes, then removes the record: a close that fails (throttled, 5xx) is
 * thrown with the record still there, so a retry closes it. Idempotent.
 */
export class EnforceTokenExpiry {
  constructor(
    private readonly repository: ConnectionRepository,
    private readonly pusher: ConnectionPusher,
    private readonly clock: Clock,
    private readonly deadlines?: DeadlineScheduler,
  ) {}

  async execute(input: EnforceTokenExpiryInput): Promise<EnforceTokenExpiryOutcome> {
    const { connectionId, expiresAt } = input;
    const connection = await this.repository.find(connectionId);
    if (connection === null) return ok({ result: 'gone' });
    if (connection.authExpiresAt !== expiresAt) return ok({ result: 'renewed' });
    const now = this.clock.now();
    if (now < expiresAt) {
      if (this.deadlines === undefined) return ok({ result: 'not-due' });
      await this.deadlines.schedule(tokenExpiryDeadline(connectionId, expiresAt, now));
      return ok({ result: 'rescheduled' });
    }
    const told = await this.pusher.push(connectionId, serializeFrame(closingFrame('TOKEN_EXPIRED')));
    const closed = told.ok ? await this.pusher.disconnect(connectionId) : told;
    await this.repository.remove(connectionId);
    return ok({ result: closed.ok ? 'closed' : 'gone' });
  }
}
