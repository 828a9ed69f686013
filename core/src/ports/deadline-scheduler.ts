import type { Deadline } from '../domain/deadline-message.js';

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
