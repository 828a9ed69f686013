// docs/protocol.md ("Client → server", "Error codes") written as code, apart from the core, so
// the fuzz tests check the implementations against the documentation rather than themselves.

/** The frame and reply limit, in UTF-8 bytes (128 KiB). */
export const FRAME_LIMIT = 131_072;

/** A reply as the tests compare it: an error's message (free text) only has to be a non-empty string. */
export type Comparable = Record<string, unknown>;

export function comparable(frame: object): Comparable {
  const fields = { ...frame } as Comparable;
  if (fields.type !== 'error') return fields;
  return { ...fields, message: typeof fields.message === 'string' && fields.message !== '' };
}

/** An error frame with this code, as {@link comparable} shows it. */
export function errorReply(code: string): Comparable {
  return { type: 'error', code, message: true };
}

/**
 * The documented reply to a client's text frame. The frame's size, its shape and `ping` are
 * decided here; any other action by `otherAction`, given the action and the frame's fields.
 */
export function documentedReply(
  text: string,
  otherAction: (action: string, fields: Readonly<Record<string, unknown>>) => Comparable,
): Comparable {
  // Buffer counts a lone surrogate as the 3 bytes of the U+FFFD it is sent as.
  if (Buffer.byteLength(text) > FRAME_LIMIT) return errorReply('PAYLOAD_TOO_LARGE');
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return errorReply('MALFORMED_FRAME');
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame))
    return errorReply('MALFORMED_FRAME');
  const fields = frame as Record<string, unknown>;
  const { action, name } = fields;
  if (typeof action !== 'string') return errorReply('MALFORMED_FRAME');
  if (action !== 'ping') return otherAction(action, fields);
  if (name === undefined) return { type: 'pong' };
  if (typeof name !== 'string') return errorReply('MALFORMED_FRAME');
  const reply = { type: 'pong', name };
  return Buffer.byteLength(JSON.stringify(reply)) > FRAME_LIMIT ? errorReply('PAYLOAD_TOO_LARGE') : reply;
}
