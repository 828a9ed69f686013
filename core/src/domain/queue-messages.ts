import {
  type ConnectionId,
  isId,
  isUserId,
  MAX_ID_LENGTH,
  MAX_USER_ID_LENGTH,
  type NotificationId,
  type UserId,
} from './ids.js';
import { isPlainObject, parseJson } from './frame.js';
import { fail, ok, type Outcome } from './outcome.js';
import { MAX_EPOCH_LENGTH } from './stream.js';

/**
 * A request to notify every connection of a user: `{"userId":"1234","data":<any JSON>}`.
 * `id` is optional but is what makes display exactly-once: it becomes the notification's id
 * on every socket and in the user's stream, which stores one notification per id, so a
 * redelivery or a dead-letter redrive of the same message is never shown twice. Without it
 * the queue's message id stands in, which survives redeliveries but not a redrive (SQS gives a
 * redriven message a new id). Unknown fields are ignored (forward compatibility).
 */
export interface NotifyUserMessage {
  readonly userId: UserId;
  readonly data: unknown;
  readonly id?: NotificationId;
}

/**
 * A request to push one notification to one connection:
 * `{"connectionId":"f97yeeMZDoECGqg=","data":<any JSON>}`, with an optional `id`. NotifyUser's
 * fan-out adds the notification's place in the user's stream, `seq` and `epoch` (both or
 * neither); a message addressed to one connection by other code has none.
 */
export interface NotifyConnectionMessage {
  readonly connectionId: ConnectionId;
  readonly data: unknown;
  readonly id?: NotificationId;
  readonly seq?: number;
  readonly epoch?: string;
}

type QueueParseOutcome<T> = Outcome<T, 'MALFORMED_QUEUE_MESSAGE'>;

/** Parses a NotifyUser body. Never throws; a bad body is `MALFORMED_QUEUE_MESSAGE` with the reason. */
export function parseNotifyUserMessage(body: string): QueueParseOutcome<NotifyUserMessage> {
  const fields = parseEnvelope(body);
  if (!fields.ok) return fields;
  const { value } = fields;
  if (!isUserId(value.userId)) {
    return malformed(
      `'userId' must be a string of 1 to ${MAX_USER_ID_LENGTH} characters without control characters`,
    );
  }
  const common = parseCommon(value);
  if (!common.ok) return common;
  return ok({ userId: value.userId, ...common.value });
}

/** Parses a NotifyConnection body. Never throws; a bad body is `MALFORMED_QUEUE_MESSAGE` with the reason. */
export function parseNotifyConnectionMessage(body: string): QueueParseOutcome<NotifyConnectionMessage> {
  const fields = parseEnvelope(body);
  if (!fields.ok) return fields;
  const { value } = fields;
  if (!isId(value.connectionId)) {
    return malformed(
      `'connectionId' must be a string of 1 to ${MAX_ID_LENGTH} characters without control characters`,
    );
  }
  const common = parseCommon(value);
  if (!common.ok) return common;
  if (value.seq === undefined && value.epoch === undefined) {
    return ok({ connectionId: value.connectionId, ...common.value });
  }
  if (!isSeq(value.seq) || typeof value.epoch !== 'string' || value.epoch.length > MAX_EPOCH_LENGTH) {
    return malformed(
      `'seq' (a non-negative integer) and 'epoch' (a string of at most ${MAX_EPOCH_LENGTH} characters) go together`,
    );
  }
  return ok({ connectionId: value.connectionId, ...common.value, seq: value.seq, epoch: value.epoch });
}

/** A stream position's `seq`: a non-negative safe integer. */
export function isSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function parseEnvelope(body: string): QueueParseOutcome<Record<string, unknown>> {
  const parsed = parseJson(body);
  if (!parsed.ok) return malformed('body is not valid JSON');
  if (!isPlainObject(parsed.value)) return malformed('body must be a JSON object');
  return ok(parsed.value);
}

function parseCommon(
  value: Record<string, unknown>,
): QueueParseOutcome<{ readonly data: unknown; readonly id?: NotificationId }> {
  if (!('data' in value) || value.data === undefined) return malformed("'data' is required (any JSON value)");
  if (value.id === undefined) return ok({ data: value.data });
  if (!isId(value.id)) {
    return malformed(`'id' must be a string of 1 to ${MAX_ID_LENGTH} characters without control characters`);
  }
  return ok({ data: value.data, id: value.id });
}

function malformed(message: string): {
  readonly ok: false;
  readonly error: { code: 'MALFORMED_QUEUE_MESSAGE'; message: string };
} {
  return fail('MALFORMED_QUEUE_MESSAGE', message);
}
