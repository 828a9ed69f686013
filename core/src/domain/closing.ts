/**
 * Why the server closes a socket on purpose. API Gateway cannot choose a WebSocket close
 * code, so every transport announces a deliberate close with a `closing` frame first.
 *
 * - `TOKEN_EXPIRED`: the token the socket was authorized with expired and no fresh one came.
 * - `AUTHORIZE_TIMEOUT`: an anonymous socket did not authorize within its deadline.
 * - `RATE_LIMITED`: the socket kept sending past its rate limit.
 * - `SESSION_MAX`: the socket reached the server's maximum connection duration.
 * - `SHUTDOWN`: the server is stopping.
 */
export type ClosingReason =
  'TOKEN_EXPIRED' | 'AUTHORIZE_TIMEOUT' | 'RATE_LIMITED' | 'SESSION_MAX' | 'SHUTDOWN';

/**
 * What a client should do after a `closing` frame: reconnect `now`, `later` (after `afterMs`
 * when given, with jitter), or not until it has a `new-token`.
 */
export type ReconnectAdvice = 'now' | 'later' | 'new-token';

/** `{"type":"closing","reason":…,"reconnect":…}`, plus `afterMs` when the advice is `later`. */
export interface ClosingFrame {
  readonly type: 'closing';
  readonly reason: ClosingReason;
  readonly reconnect: ReconnectAdvice;
  /** How long to wait before reconnecting, in milliseconds; only with `reconnect: "later"`. */
  readonly afterMs?: number;
}

/** The advice that goes with each reason (docs/protocol.md). */
export const RECONNECT_ADVICE: Readonly<Record<ClosingReason, ReconnectAdvice>> = {
  TOKEN_EXPIRED: 'new-token',
  AUTHORIZE_TIMEOUT: 'new-token',
  RATE_LIMITED: 'later',
  SESSION_MAX: 'now',
  SHUTDOWN: 'later',
};

/** Every closing reason, in the order docs/protocol.md lists them. */
export const CLOSING_REASONS: readonly ClosingReason[] = [
  'TOKEN_EXPIRED',
  'AUTHORIZE_TIMEOUT',
  'RATE_LIMITED',
  'SESSION_MAX',
  'SHUTDOWN',
];

/**
 * Builds the `closing` frame for a reason. `afterMs` (a whole number of milliseconds, at
 * least 0) is kept only where the reason's advice is `later`.
 */
export function closingFrame(reason: ClosingReason, afterMs?: number): ClosingFrame {
  const reconnect = RECONNECT_ADVICE[reason];
  if (reconnect === 'later' && afterMs !== undefined && Number.isFinite(afterMs)) {
    return { type: 'closing', reason, reconnect, afterMs: Math.max(0, Math.ceil(afterMs)) };
  }
  return { type: 'closing', reason, reconnect };
}
