import type { ConnectionId } from '../domain/ids.js';

/** One authorize deadline to enforce later: at `at`, the connection must have authorized. */
export interface AuthorizeDeadline {
  readonly kind?: 'authorize';
  readonly connectionId: ConnectionId;
  /** When the deadline passes, in epoch milliseconds. */
  readonly at: number;
}

/**
 * One check of a token's expiry: at `at`, `EnforceTokenExpiry` looks at the connection. If it
 * is still authorized until `expiresAt` (no fresh token came) and that time has passed, the
 * socket is closed; if `expiresAt` is still ahead (it was further than a scheduler can
 * delay), the check is scheduled again.
 */
export interface TokenExpiryDeadline {
  readonly kind: 'token-expiry';
  readonly connectionId: ConnectionId;
  /** When to check, in epoch milliseconds: `expiresAt`, or the scheduler's horizon if sooner. */
  readonly at: number;
  /** The expiry of the authorization this check was scheduled for, in epoch milliseconds. */
  readonly expiresAt: number;
}

/** Anything a {@link DeadlineScheduler} schedules. */
export type Deadline = AuthorizeDeadline | TokenExpiryDeadline;

/**
 * Arranges for a deadline's use case to run once its time has passed:
 * `EnforceAuthorizeDeadline` for an authorize deadline, `EnforceTokenExpiry` for a token's
 * expiry. A transport that holds its sockets in process uses a timer; on AWS it is a delayed
 * message on a small queue whose consumer runs the use case.
 *
 * Guarantees every adapter must keep:
 * - once `schedule` resolves, the deadline is enforced at least once, not before `at`
 *   (late is allowed: enforcement is idempotent and a socket that authorized is left alone);
 * - a deadline up to `MAX_SCHEDULE_AHEAD_MS` (15 minutes) away is accepted;
 * - faults (the queue is unreachable) are thrown, so the caller can refuse the connection
 *   rather than admit a socket that would never be closed.
 *
 * @example
 * ```ts
 * await scheduler.schedule({ connectionId: 'abc', at: clock.now() + 30_000 });
 * ```
 */
export interface DeadlineScheduler {
  /** Schedules the enforcement of one deadline. */
  schedule(deadline: Deadline): Promise<void>;
}
