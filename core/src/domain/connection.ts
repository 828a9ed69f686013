import type { ConnectionId, UserId } from './ids.js';

/**
 * One socket in the registry. A connection is anonymous (`userId: null`) until it is
 * authorized; once set, its user never changes.
 */
export interface Connection {
  readonly connectionId: ConnectionId;
  /** The user the socket belongs to, or `null` while it is anonymous. */
  readonly userId: UserId | null;
  /** When the socket connected, in epoch milliseconds. */
  readonly connectedAt: number;
  /**
   * When the record may be forgotten, in epoch milliseconds. A record whose `$disconnect`
   * never arrived (AWS delivers it on a best-effort basis) expires at this time.
   */
  readonly expiresAt: number;
}

/** API Gateway closes every WebSocket after two hours; see docs/api-gateway.md §7.2. */
export const MAX_CONNECTION_DURATION_MS = 2 * 60 * 60 * 1000;

/** Default lifetime of a record: the longest connection API Gateway allows, plus a margin. */
export const DEFAULT_CONNECTION_TTL_MS = MAX_CONNECTION_DURATION_MS + 10 * 60 * 1000;

/** How long an anonymous connection may stay without authorizing, by default. */
export const DEFAULT_AUTHORIZE_DEADLINE_MS = 30_000;
