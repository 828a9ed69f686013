import { type ConnectionId, isId } from './ids.js';
import { isPlainObject, parseJson } from './frame.js';
import { fail, ok, type Outcome } from './outcome.js';

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

/** Anything a `DeadlineScheduler` schedules. */
export type Deadline = AuthorizeDeadline | TokenExpiryDeadline;

/**
 * The body of a scheduled deadline message, as a `DeadlineScheduler` on a queue sends it:
 * `{"connectionId":"…","at":<epoch ms>}` for an authorize deadline, and
 * `{"kind":"token-expiry","connectionId":"…","at":<epoch ms>,"expiresAt":<epoch ms>}` for a
 * token's expiry.
 */
export function serializeDeadlineMessage(deadline: Deadline): string {
  if (deadline.kind === 'token-expiry') {
    return JSON.stringify({
      kind: deadline.kind,
      connectionId: deadline.connectionId,
      at: deadline.at,
      expiresAt: deadline.expiresAt,
    });
  }
  return JSON.stringify({ connectionId: deadline.connectionId, at: deadline.at });
}

/**
 * Parses a deadline message body. Never throws; a bad body is `MALFORMED_QUEUE_MESSAGE` with
 * the reason. A body without `kind` is an authorize deadline (the first format).
 */
export function parseDeadlineMessage(body: string): Outcome<Deadline, 'MALFORMED_QUEUE_MESSAGE'> {
  const parsed = parseJson(body);
  if (!parsed.ok) return fail('MALFORMED_QUEUE_MESSAGE', 'body is not valid JSON');
  const value = parsed.value;
  if (!isPlainObject(value)) return fail('MALFORMED_QUEUE_MESSAGE', 'body must be a JSON object');
  if (!isId(value.connectionId)) {
    return fail('MALFORMED_QUEUE_MESSAGE', "'connectionId' must be a connection id");
  }
  if (!isEpochMs(value.at)) {
    return fail('MALFORMED_QUEUE_MESSAGE', "'at' must be a number of epoch milliseconds");
  }
  switch (value.kind) {
    case undefined:
    case 'authorize':
      return ok({ connectionId: value.connectionId, at: value.at });
    case 'token-expiry':
      if (!isEpochMs(value.expiresAt)) {
        return fail('MALFORMED_QUEUE_MESSAGE', "'expiresAt' must be a number of epoch milliseconds");
      }
      return ok({
        kind: 'token-expiry',
        connectionId: value.connectionId,
        at: value.at,
        expiresAt: value.expiresAt,
      });
    default:
      return fail('MALFORMED_QUEUE_MESSAGE', "'kind' must be 'authorize' or 'token-expiry'");
  }
}

function isEpochMs(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
