import type { Clock } from '@pushline/core';

/** A clock that moves only when told to, for deterministic tests. */
export class ManualClock implements Clock {
  constructor(private current = 0) {}

  now(): number {
    return this.current;
  }

  /** Moves the clock forward by `ms`. */
  advance(ms: number): void {
    this.current += ms;
  }

  /** Sets the clock. */
  set(ms: number): void {
    this.current = ms;
  }
}
