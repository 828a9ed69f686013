// How hard the fuzzing and load tests run. `pnpm test` runs bounded counts so the whole suite
// stays within CI's budget; `pnpm test:soak` sets PUSHLINE_SOAK=1 and the full counts apply.

/** Whether this is the soak run (`pnpm test:soak`). */
export const SOAK = process.env.PUSHLINE_SOAK === '1';

/** `bounded` in `pnpm test`, `full` in `pnpm test:soak`. */
export function soakCount(bounded: number, full: number): number {
  return SOAK ? full : bounded;
}

/** A test timeout that grows with the soak run: `boundedMs` in `pnpm test`, `fullMs` in soak. */
export function soakTimeout(boundedMs: number, fullMs: number): number {
  return SOAK ? fullMs : boundedMs;
}
