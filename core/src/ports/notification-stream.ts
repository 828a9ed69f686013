import type { NotificationId, UserId } from '../domain/ids.js';
import type { Appended, ReadSinceOptions, ReadSinceResult, StreamPosition } from '../domain/stream.js';

export {
  type Appended,
  DEFAULT_REPLAY_LIMIT,
  DEFAULT_STREAM_RETENTION_MS,
  MAX_EPOCH_LENGTH,
  type NotRecoveredReason,
  type ReadSinceOptions,
  type ReadSinceResult,
  type StreamNotification,
  type StreamPosition,
} from '../domain/stream.js';

/**
 * Every user's notifications, in order, for a while: what lets a client that was between two
 * sockets get what it missed (the `resume` action, docs/protocol.md).
 *
 * Guarantees every adapter must keep (test/contracts/notification-stream.contract.ts):
 * - `append` gives a notification the user's next `seq` (+1 per stored notification, starting
 *   at 1) under the stream's current `epoch`; once it resolves, `readSince` returns the
 *   notification to any position before it, for the stream's retention.
 * - `append` is idempotent by notification id within the adapter's window (at least the
 *   user's last 32 notifications): appending an id the stream holds returns the stored
 *   `seq` with `duplicate: true` and stores nothing. A retried append after a fault also
 *   finds its first attempt's position if that attempt got one.
 * - `epoch` changes only when the stream's history is gone (a reset, a lost store, a user
 *   whose stream expired); positions of another epoch are `STREAM_RESET`.
 * - `readSince(user, null)` answers the current position and no notifications; a user who
 *   never got one has a position too (seq `0`).
 * - `readSince(user, position)` returns every stored notification after `position.seq`, in
 *   `seq` order, or `recovered: false` with `TOO_OLD` (some are past retention or missing),
 *   `TOO_MANY` (more than the limit) or `STREAM_RESET` (another epoch, or a `seq` beyond the top).
 * - Only the given user's notifications, ever: a stream is keyed by user, never by argument.
 * - Infrastructure faults are thrown (with their cause); nothing is swallowed.
 *
 * @example
 * ```ts
 * const { epoch, seq } = await stream.append('user-1', { id: 'export-42', data: { kind: 'export.ready' } });
 * const missed = await stream.readSince('user-1', { epoch, seq: seq - 1 });
 * if (missed.recovered) console.log(missed.notifications.map((n) => n.id)); // ['export-42']
 * ```
 */
export interface NotificationStream {
  /** Stores the notification as the user's next one, or finds the one stored with its id. */
  append(
    userId: UserId,
    notification: { readonly id: NotificationId; readonly data: unknown },
  ): Promise<Appended>;
  /** What the user's stream holds after `since` (or only its position, for `null`). */
  readSince(
    userId: UserId,
    since: StreamPosition | null,
    options?: ReadSinceOptions,
  ): Promise<ReadSinceResult>;
}
