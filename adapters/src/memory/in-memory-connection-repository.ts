import {
  type AssignUserOutcome,
  type Connection,
  type ConnectionId,
  type ConnectionPage,
  type ConnectionRepository,
  DEFAULT_PAGE_SIZE,
  fail,
  type FindByUserOptions,
  ok,
  type RemoveIfAnonymousResult,
  type RemoveIfConnectedBeforeResult,
  type UserId,
} from '@pushline/core';

/** Largest page {@link InMemoryConnectionRepository.findByUser} returns, whatever the limit asked. */
export const MAX_MEMORY_PAGE_SIZE = 1000;

/**
 * The connection registry in a `Map`, with an index by user. For one process (the
 * standalone server) and for tests; keeps every guarantee of `ConnectionRepository`.
 *
 * Pages of `findByUser` are ordered by connection id and the cursor is the last id of the
 * page, like DynamoDB's `ExclusiveStartKey`, so connections added or removed between
 * pages never make the walk repeat or skip one that stayed.
 */
export class InMemoryConnectionRepository implements ConnectionRepository {
  private readonly connections = new Map<ConnectionId, Connection>();
  private readonly byUser = new Map<UserId, Set<ConnectionId>>();
  private readonly sorted = new Map<UserId, ConnectionId[]>();

  save(connection: Connection): Promise<void> {
    this.unindex(connection.connectionId);
    this.connections.set(connection.connectionId, connection);
    this.index(connection);
    return Promise.resolve();
  }

  find(connectionId: ConnectionId): Promise<Connection | null> {
    return Promise.resolve(this.connections.get(connectionId) ?? null);
  }

  remove(connectionId: ConnectionId): Promise<void> {
    this.unindex(connectionId);
    this.connections.delete(connectionId);
    return Promise.resolve();
  }

  removeIfConnectedBefore(
    connectionId: ConnectionId,
    before: number,
  ): Promise<RemoveIfConnectedBeforeResult> {
    const connection = this.connections.get(connectionId);
    if (connection === undefined) return Promise.resolve('not-found');
    if (connection.connectedAt > before) return Promise.resolve('kept');
    this.unindex(connectionId);
    this.connections.delete(connectionId);
    return Promise.resolve('removed');
  }

  removeIfAnonymous(connectionId: ConnectionId): Promise<RemoveIfAnonymousResult> {
    const connection = this.connections.get(connectionId);
    if (connection === undefined) return Promise.resolve('not-found');
    if (connection.userId !== null) return Promise.resolve('authorized');
    this.connections.delete(connectionId);
    return Promise.resolve('removed');
  }

  assignUser(connectionId: ConnectionId, userId: UserId): Promise<AssignUserOutcome> {
    const connection = this.connections.get(connectionId);
    if (connection === undefined) return Promise.resolve(fail('CONNECTION_NOT_FOUND', 'no such connection'));
    if (connection.userId === userId) return Promise.resolve(ok(connection));
    if (connection.userId !== null) {
      return Promise.resolve(fail('USER_CONFLICT', 'the connection belongs to another user'));
    }
    const assigned: Connection = { ...connection, userId };
    this.connections.set(connectionId, assigned);
    this.index(assigned);
    return Promise.resolve(ok(assigned));
  }

  findByUser(userId: UserId, options: FindByUserOptions = {}): Promise<ConnectionPage> {
    const limit = Math.min(Math.max(1, options.limit ?? DEFAULT_PAGE_SIZE), MAX_MEMORY_PAGE_SIZE);
    const after = options.cursor ?? null;
    const ids = this.sortedIdsOf(userId);
    const start = after === null ? 0 : firstAfter(ids, after);
    const pageIds = ids.slice(start, start + limit);
    const connections = pageIds.flatMap((id) => {
      const connection = this.connections.get(id);
      return connection === undefined ? [] : [connection];
    });
    const cursor = ids.length - start > limit ? (pageIds.at(-1) ?? null) : null;
    return Promise.resolve({ connections, cursor, malformed: [] });
  }

  /** The user's ids in order, sorted once per change rather than once per page. */
  private sortedIdsOf(userId: UserId): readonly ConnectionId[] {
    let ids = this.sorted.get(userId);
    if (ids === undefined) {
      ids = [...(this.byUser.get(userId) ?? [])].sort();
      this.sorted.set(userId, ids);
    }
    return ids;
  }

  /** How many records are stored (for tests and metrics). */
  get size(): number {
    return this.connections.size;
  }

  /** Every stored record (for tests). */
  all(): readonly Connection[] {
    return [...this.connections.values()];
  }

  private index(connection: Connection): void {
    if (connection.userId === null) return;
    this.sorted.delete(connection.userId);
    let ids = this.byUser.get(connection.userId);
    if (ids === undefined) {
      ids = new Set();
      this.byUser.set(connection.userId, ids);
    }
    ids.add(connection.connectionId);
  }

  private unindex(connectionId: ConnectionId): void {
    const userId = this.connections.get(connectionId)?.userId ?? null;
    if (userId === null) return;
    this.sorted.delete(userId);
    const ids = this.byUser.get(userId);
    ids?.delete(connectionId);
    if (ids?.size === 0) this.byUser.delete(userId);
  }
}

/** Index of the first id greater than `after` in sorted `ids` (binary search). */
function firstAfter(ids: readonly string[], after: string): number {
  let low = 0;
  let high = ids.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((ids[middle] ?? '') <= after) low = middle + 1;
    else high = middle;
  }
  return low;
}
