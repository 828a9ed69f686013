import type { ClosingFrame } from './closing.js';
import type { ClientErrorCode } from './errors.js';
import type { NotificationId, UserId } from './ids.js';
import { fail, ok, type Outcome } from './outcome.js';
import type { NotRecoveredReason, StreamNotification } from './stream.js';

/**
 * Largest frame, in UTF-8 bytes, that the core accepts from a client or sends to one:
 * API Gateway's WebSocket message limit (128 KB). See docs/api-gateway.md §7.2.
 */
export const MAX_PAYLOAD_BYTES = 128 * 1024;

/** A client frame that parsed: a JSON object with a string `action`, other fields as sent. */
export interface ClientFrame {
  readonly action: string;
  readonly [field: string]: unknown;
}

/** Every frame the server sends. Each has a `type`; docs/protocol.md describes them. */
export type ServerFrame =
  | { readonly type: 'pong'; readonly name?: string }
  | { readonly type: 'authorized'; readonly userId: UserId }
  | NotificationFrame
  | ResumedFrame
  | ClosingFrame
  | ErrorFrame;

/**
 * A notification. `seq` and `epoch` are its position in the user's stream; a notification
 * addressed to one connection (NotifyConnection with no position) has neither.
 */
export interface NotificationFrame {
  readonly type: 'notification';
  readonly id: NotificationId;
  readonly seq?: number;
  readonly epoch?: string;
  readonly data: unknown;
}

/** The answer to `resume`: the stream's current position and what was missed, or why not. */
export type ResumedFrame =
  | {
      readonly type: 'resumed';
      readonly epoch: string;
      readonly seq: number;
      readonly recovered: true;
      readonly notifications: readonly StreamNotification[];
    }
  | {
      readonly type: 'resumed';
      readonly epoch: string;
      readonly seq: number;
      readonly recovered: false;
      readonly reason: NotRecoveredReason;
      readonly notifications: readonly [];
    };

/** Longest `requestId` a client frame may carry, in characters. */
export const MAX_REQUEST_ID_LENGTH = 64;

/** An error answer to one client frame. The socket stays open. */
export interface ErrorFrame {
  readonly type: 'error';
  readonly code: ClientErrorCode;
  readonly message: string;
}

/** Builds an error frame. */
export function errorFrame(code: ClientErrorCode, message: string): ErrorFrame {
  return { type: 'error', code, message };
}

/** Serialises a server frame to the text that goes on the wire; a reply may echo its frame's `requestId`. */
export function serializeFrame(frame: ServerFrame & { readonly requestId?: string }): string {
  return JSON.stringify(frame);
}

/**
 * The wire text of a notification frame, or `PAYLOAD_TOO_LARGE` when it would exceed
 * {@link MAX_PAYLOAD_BYTES}: the one place a notification is built and measured, for
 * NotifyUser and NotifyConnection alike. `dataJson` is `data` already serialised, for a caller
 * that builds the same notification at more than one position (NotifyUser measures it at the
 * largest before storing it): the data, up to 128 KiB, is then serialised once.
 */
export function notificationPayload(
  notification: Omit<NotificationFrame, 'type'>,
  dataJson: string = JSON.stringify(notification.data),
): Outcome<string, 'PAYLOAD_TOO_LARGE'> {
  const { id, seq, epoch } = notification;
  // The text JSON.stringify gives the frame object, field for field, without serialising
  // `data` again (an undefined `data` is left out, as JSON.stringify leaves it out).
  const position =
    seq === undefined || epoch === undefined
      ? ''
      : `,"seq":${JSON.stringify(seq)},"epoch":${JSON.stringify(epoch)}`;
  const data = notification.data === undefined ? '' : `,"data":${dataJson}`;
  const payload = `{"type":"notification","id":${JSON.stringify(id)}${position}${data}}`;
  if (exceedsUtf8Bytes(payload, MAX_PAYLOAD_BYTES)) {
    return fail(
      'PAYLOAD_TOO_LARGE',
      `notification of ${utf8ByteLength(payload)} bytes exceeds the limit of ${MAX_PAYLOAD_BYTES} bytes`,
    );
  }
  return ok(payload);
}

/**
 * Reads a frame's optional `requestId`: absent (`null`), or a string of 1 to
 * {@link MAX_REQUEST_ID_LENGTH} characters; anything else is `MALFORMED_FRAME`.
 */
export function requestIdOf(frame: ClientFrame): Outcome<string | null, 'MALFORMED_FRAME'> {
  const { requestId } = frame;
  if (requestId === undefined) return ok(null);
  if (typeof requestId !== 'string' || requestId.length === 0 || requestId.length > MAX_REQUEST_ID_LENGTH) {
    return fail(
      'MALFORMED_FRAME',
      `'requestId' must be a string of 1 to ${MAX_REQUEST_ID_LENGTH} characters`,
    );
  }
  return ok(requestId);
}

/**
 * Parses a client's text frame. Refuses, in this order: a frame over
 * {@link MAX_PAYLOAD_BYTES} (`PAYLOAD_TOO_LARGE`), then text that is not a JSON object
 * with a string `action` (`MALFORMED_FRAME`). Never throws.
 */
export function parseClientFrame(
  text: string,
): Outcome<ClientFrame, 'MALFORMED_FRAME' | 'PAYLOAD_TOO_LARGE'> {
  if (exceedsUtf8Bytes(text, MAX_PAYLOAD_BYTES)) {
    return fail(
      'PAYLOAD_TOO_LARGE',
      `frame of ${utf8ByteLength(text)} bytes exceeds the limit of ${MAX_PAYLOAD_BYTES} bytes`,
    );
  }
  const parsed = parseJson(text);
  if (!parsed.ok) return fail('MALFORMED_FRAME', 'frame is not valid JSON');
  const value = parsed.value;
  if (!isPlainObject(value)) return fail('MALFORMED_FRAME', 'frame must be a JSON object');
  if (typeof value.action !== 'string') return fail('MALFORMED_FRAME', "frame must have a string 'action'");
  return ok(value as ClientFrame);
}

/** Parses JSON without throwing. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** True for a JSON object (not an array, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Whether `text` takes more than `limit` bytes in UTF-8. A UTF-16 code unit takes 1 to 3
 * bytes, so the length alone decides most texts; only the rest are counted (per frame, the
 * count was a tenth of routing a `ping`).
 */
export function exceedsUtf8Bytes(text: string, limit: number): boolean {
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  return utf8ByteLength(text) > limit;
}

/**
 * The number of bytes `text` takes in UTF-8, counted without encoding it. A lone
 * surrogate counts 3 bytes, as it is sent as U+FFFD.
 */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}
