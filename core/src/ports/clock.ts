/**
 * The time, as a port, so that use cases are deterministic under test.
 *
 * @example
 * ```ts
 * const expiresAt = clock.now() + ttlMs;
 * ```
 */
export interface Clock {
  /** Now, in epoch milliseconds. */
  now(): number;
}
