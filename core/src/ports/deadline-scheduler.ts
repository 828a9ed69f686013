import type { AuthorizeDeadline } from '../domain/deadline-message.js';

/**
 * Arranges for `EnforceAuthorizeDeadline` to run for a connection once its authorize deadline
 * has passed. A transport that holds its sockets in process uses a timer; on AWS it is a
 * delayed message on a small queue whose consumer runs the use case.
 *
 * Guarantees every adapter must keep:
 * - once `schedule` resolves, the deadline is enforced at least once, not before `at`
 *   (late is allowed: enforcement is idempotent and a socket that authorized is left alone);
 * - faults (the queue is unreachable) are thrown, so the caller can refuse the connection
 *   rather than admit a socket that would never be closed.
 *
 * @example
 * ```ts
 * await scheduler.schedule({ connectionId: 'abc', at: clock.now() + 30_000 });
 * ```
 */
export interface DeadlineScheduler {
  /** Schedules the enforcement of one authorize deadline. */
  schedule(deadline: AuthorizeDeadline): Promise<void>;
}
