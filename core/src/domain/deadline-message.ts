import { type ConnectionId, isId } from './ids.js';
import { isPlainObject, parseJson } from './frame.js';
import { fail, ok, type Outcome } from './outcome.js';

/** One deadline to enforce later: at `at`, the connection must have authorized. */
export interface AuthorizeDeadline {
  readonly connectionId: ConnectionId;
  /** When the deadline passes, in epoch milliseconds. */
  readonly at: number;
}

/**
 * The body of a scheduled deadline message: `{"connectionId":"…","at":<epoch ms>}`, as a
 * `DeadlineScheduler` on a queue sends it.
 */
export function serializeDeadlineMessage(deadline: AuthorizeDeadline): string {
  return JSON.stringify({ connectionId: deadline.connectionId, at: deadline.at });
}

/**
 * Parses a deadline message body. Never throws; a bad body is `MALFORMED_QUEUE_MESSAGE` with
 * the reason.
 */
export function parseDeadlineMessage(body: string): Outcome<AuthorizeDeadline, 'MALFORMED_QUEUE_MESSAGE'> {
  const parsed = parseJson(body);
  if (!parsed.ok) return fail('MALFORMED_QUEUE_MESSAGE', 'body is not valid JSON');
  const value = parsed.value;
  if (!isPlainObject(value)) return fail('MALFORMED_QUEUE_MESSAGE', 'body must be a JSON object');
  if (!isId(value.connectionId)) {
    return fail('MALFORMED_QUEUE_MESSAGE', "'connectionId' must be a connection id");
  }
  if (typeof value.at !== 'number' || !Number.isFinite(value.at)) {
    return fail('MALFORMED_QUEUE_MESSAGE', "'at' must be a number of epoch milliseconds");
  }
  return ok({ connectionId: value.connectionId, at: value.at });
}
