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

/**
 * A request to notify every connection of a user: `{"userId":"1234","data":<any JSON>}`.
 * `id` is optional; when given, it becomes the notification's id on every socket, so a
 * producer can deduplicate end to end. Unknown fields are ignored (forward compatibility).
 */
export interface NotifyUserMessage {
  readonly userId: UserId;
  readonly data: unknown;
  readonly id?: NotificationId;
}

/**
 * A request to push one notification to one connection:
 * `{"connectionId":"f97yeeMZDoECGqg=","data":<any JSON>}`, with an optional `id`.
 */
export interface NotifyConnectionMessage {
  readonly connectionId: ConnectionId;
  readonly data: unknown;
  readonly id?: NotificationId;
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
  return ok({ connectionId: value.connectionId, ...common.value });
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
