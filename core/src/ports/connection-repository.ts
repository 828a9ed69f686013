import type { Connection } from '../domain/connection.js';
import type { ConnectionId, UserId } from '../domain/ids.js';
import type { Outcome } from '../domain/outcome.js';

/** One page of a user's connections, as returned by {@link ConnectionRepository.findByUser}. */
export interface ConnectionPage {
  /** The connections on this page, at most the page's limit. */
  readonly connections: readonly Connection[];
  /** Opaque; pass it back to get the next page. `null` when this was the last page. */
  readonly cursor: string | null;
  /** Records that were found but could not be read (missing or wrongly typed attributes). Never thrown. */
  readonly malformed: readonly MalformedRecord[];
}

/** A stored record that could not be read as a {@link Connection}. */
export interface MalformedRecord {
  /** The record's key, as far as it could be read (`''` when even that is missing). */
  readonly connectionId: string;
  readonly reason: string;
}

/** Options of {@link ConnectionRepository.findByUser}. */
export interface FindByUserOptions {
  /** The cursor of the previous page; omit it for the first page. */
  readonly cursor?: string | null;
  /** Most connections on one page. Adapters cap it; the default is {@link DEFAULT_PAGE_SIZE}. */
  readonly limit?: number;
}

/** The page size of {@link ConnectionRepository.findByUser} when none is given. */
export const DEFAULT_PAGE_SIZE = 100;

/**
 * What {@link ConnectionRepository.removeIfAnonymous} did: `removed` the anonymous record,
 * found it `authorized` (and kept it), or found no record (`not-found`).
 */
export type RemoveIfAnonymousResult = 'removed' | 'authorized' | 'not-found';

/** What {@link ConnectionRepository.removeIfConnectedBefore} did. */
export type RemoveIfConnectedBeforeResult = 'removed' | 'kept' | 'not-found';

/** What {@link ConnectionRepository.assignUser} returns. */
export type AssignUserOutcome = Outcome<Connection, 'CONNECTION_NOT_FOUND' | 'USER_CONFLICT'>;

/**
 * The registry of open connections: which socket belongs to which user.
 *
 * Guarantees every adapter must keep (test/contracts/connection-repository.contract.ts):
 * - `save` is an idempotent upsert; `remove` is idempotent and removes only the given id.
 * - `assignUser` sets the user of an anonymous connection atomically (no read-then-write):
 *   of two concurrent calls with different users exactly one wins, the other gets
 *   `USER_CONFLICT`. Assigning the user a connection already has succeeds.
 * - `findByUser` returns each of the user's connections exactly once across its pages,
 *   in bounded memory per page, and never a connection of another user or an anonymous one.
 * - `removeIfAnonymous` removes a record only while it has no user, atomically: racing an
 *   `assignUser`, either the record is removed (and the assignment finds no connection) or
 *   the user is set (and the record stays), never both.
 * - `removeIfConnectedBefore` removes a record only if it connected at or before the given time,
 *   atomically (a condition, not a read), so a socket whose `$connect` is still returning is
 *   never forgotten because a push to it came too early (API Gateway answers 410 then).
 * - `expiresAt` is kept at least to the second, rounded up (DynamoDB's TTL is in seconds).
 * - `findByUser` never ends a walk with an empty trailing page. On stores whose index is
 *   eventually consistent (DynamoDB's global secondary indexes), a connection saved or
 *   authorized a moment before the walk may be missed by it.
 * - Unreadable records are reported in `malformed` by `findByUser`; `find` throws a
 *   `DomainError` with `MALFORMED_RECORD` for one, as it has no other way to say so.
 * - Infrastructure faults are thrown (with their cause); nothing is swallowed.
 *
 * @example
 * ```ts
 * await repository.save({ connectionId: 'abc', userId: null, connectedAt: now, expiresAt: now + ttl });
 * const assigned = await repository.assignUser('abc', 'user-1');
 * let cursor: string | null = null;
 * do {
 *   const page = await repository.findByUser('user-1', { cursor });
 *   for (const connection of page.connections) console.log(connection.connectionId);
 *   cursor = page.cursor;
 * } while (cursor !== null);
 * ```
 */
export interface ConnectionRepository {
  /** Stores the connection, replacing any record with the same id. */
  save(connection: Connection): Promise<void>;
  /** The connection with this id, or `null`. */
  find(connectionId: ConnectionId): Promise<Connection | null>;
  /** Removes the record with this id, if any. */
  remove(connectionId: ConnectionId): Promise<void>;
  /**
   * Removes the record if, and only if, its `connectedAt` is at or before `before` (epoch ms): says
   * whether it was `removed`, `kept` (too young) or `not-found`. See the interface's guarantees.
   */
  removeIfConnectedBefore(connectionId: ConnectionId, before: number): Promise<RemoveIfConnectedBeforeResult>;
  /** Removes the record if, and only if, it is still anonymous; see the interface's guarantees. */
  removeIfAnonymous(connectionId: ConnectionId): Promise<RemoveIfAnonymousResult>;
  /** Sets the user of a connection that has none; see the interface's guarantees. */
  assignUser(connectionId: ConnectionId, userId: UserId): Promise<AssignUserOutcome>;
  /** One page of the user's connections; see the interface's guarantees. */
  findByUser(userId: UserId, options?: FindByUserOptions): Promise<ConnectionPage>;
}
