import type { ConnectionId } from '../domain/ids.js';
import type { Outcome } from '../domain/outcome.js';

/** What a transport knows about a live connection. */
export interface ConnectionInfo {
  /** When the socket connected, in epoch milliseconds. */
  readonly connectedAt: number;
  /** When the client last sent something, in epoch milliseconds. */
  readonly lastActiveAt: number;
  /** The client's address, when the transport knows it. */
  readonly sourceIp: string | null;
}

/** What {@link ConnectionPusher.push} returns. */
export type PushOutcome = Outcome<void, 'CONNECTION_GONE' | 'PAYLOAD_TOO_LARGE'>;

/**
 * Sends to sockets that a transport holds (API Gateway's `@connections`, a `ws` server).
 *
 * Guarantees every adapter must keep (test/contracts/connection-pusher.contract.ts):
 * - `push` delivers the text as one frame, or returns `CONNECTION_GONE` when the socket no
 *   longer exists (API Gateway's 410), or `PAYLOAD_TOO_LARGE` when it is over the
 *   transport's limit (128 KB on API Gateway); in both cases nothing was sent;
 * - throttling and server-side faults are thrown as `TransientError` (code
 *   `TRANSIENT_FAILURE`) so the caller retries; other faults are thrown with their cause;
 * - `disconnect` closes the socket, and reports `CONNECTION_GONE` if there was none;
 * - `info` describes a live socket or reports `CONNECTION_GONE`.
 *
 * @example
 * ```ts
 * const pushed = await pusher.push('abc', '{"type":"notification","id":"n-1","data":{}}');
 * if (!pushed.ok && pushed.error.code === 'CONNECTION_GONE') await repository.remove('abc');
 * ```
 */
export interface ConnectionPusher {
  /** Sends one text frame to the connection. */
  push(connectionId: ConnectionId, payload: string): Promise<PushOutcome>;
  /** Closes the connection. */
  disconnect(connectionId: ConnectionId): Promise<Outcome<void, 'CONNECTION_GONE'>>;
  /** Describes the connection. */
  info(connectionId: ConnectionId): Promise<Outcome<ConnectionInfo, 'CONNECTION_GONE'>>;
}
