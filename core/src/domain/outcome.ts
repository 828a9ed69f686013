import type { ErrorCode } from './errors.js';

/** A failure the caller is expected to handle: a code that survives serialisation, and a message for people. */
export interface Failure<C extends ErrorCode = ErrorCode> {
  readonly code: C;
  readonly message: string;
}

/**
 * What a use case or port returns for an expected result: a value, or a {@link Failure}.
 * Faults that nobody can recover from here (broken invariants, infrastructure down) are thrown instead.
 */
export type Outcome<T, C extends ErrorCode = ErrorCode> =
  | { readonly ok: true; readonly value: T }
  // An outcome with no failure code (`Outcome<T, never>`) is always a success.
  | ([C] extends [never] ? never : { readonly ok: false; readonly error: Failure<C> });

/** Wraps a value in a successful {@link Outcome}. */
export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

/** Builds a failed {@link Outcome} with a code and a message. */
export function fail<C extends ErrorCode>(
  code: C,
  message: string,
): { readonly ok: false; readonly error: Failure<C> } {
  return { ok: false, error: { code, message } };
}
