/**
 * Codes of the errors the client itself raises. A request can also be rejected with any code of
 * the server's `error` frames (`UNKNOWN_ACTION`, `MALFORMED_FRAME`, `UNAUTHORIZED`, `RATE_LIMITED`,
 * `PAYLOAD_TOO_LARGE`, `INTERNAL`; see docs/protocol.md).
 *
 * - `TIMEOUT`: a request got no reply within its timeout.
 * - `DISCONNECTED`: the socket a request was sent on closed before its reply came; the server may
 *   or may not have handled it.
 * - `CLOSED`: the client was closed (by {@link PushlineClient.close} or because it stopped).
 * - `UNAUTHORIZED`: the server kept refusing the token (`maxAuthFailures` times in a row, or once
 *   for a fixed token string); the client stopped.
 * - `TOKEN_FAILED`: the `token()` function kept rejecting (`maxAuthFailures` times); the client stopped.
 * - `TOKEN_EXPIRED`: the server closed the socket for an expired token and asked for a new one,
 *   but the token is a fixed string; the client stopped.
 */
export type ClientErrorCode =
  'TIMEOUT' | 'DISCONNECTED' | 'CLOSED' | 'UNAUTHORIZED' | 'TOKEN_FAILED' | 'TOKEN_EXPIRED';

/** An error of the client or of the server; tell them apart by {@link PushlineError.code}. */
export class PushlineError extends Error {
  /** A {@link ClientErrorCode} or the `code` of the server's `error` frame. */
  readonly code: string;
  /** The server's `error` frame, when the error is the server's answer. */
  readonly frame: Readonly<Record<string, unknown>> | undefined;

  constructor(code: string, message: string, frame?: Readonly<Record<string, unknown>>) {
    super(message);
    this.name = 'PushlineError';
    this.code = code;
    this.frame = frame;
  }
}
