import type { Clock } from '@pushline/core';

/** The machine's wall clock. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
}
