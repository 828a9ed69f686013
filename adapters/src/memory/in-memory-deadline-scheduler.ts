import type { Clock, Deadline, DeadlineScheduler } from '@pushline/core';

/**
 * Keeps scheduled deadlines in a list, for tests and in-process transports: `due()` hands out
 * (and forgets) the ones whose time has come by the clock, so a test or a timer loop can run
 * `EnforceDeadline` for each.
 */
export class InMemoryDeadlineScheduler implements DeadlineScheduler {
  private pending: Deadline[] = [];

  /** @param clock - decides which deadlines {@link due} returns. */
  constructor(private readonly clock: Clock) {}

  schedule(deadline: Deadline): Promise<void> {
    this.pending.push(deadline);
    return Promise.resolve();
  }

  /** Every deadline scheduled and not yet handed out by {@link due}, in scheduling order. */
  scheduled(): readonly Deadline[] {
    return [...this.pending];
  }

  /** Removes and returns the deadlines whose time has come. */
  due(): readonly Deadline[] {
    const now = this.clock.now();
    const due = this.pending.filter((deadline) => deadline.at <= now);
    this.pending = this.pending.filter((deadline) => deadline.at > now);
    return due;
  }
}
