import type { NotificationId } from './ids.js';

/** How long a stream keeps a notification replayable, by default: one day. */
export const DEFAULT_STREAM_RETENTION_MS = 24 * 60 * 60 * 1000;

/** Most notifications one `resume` replays, by default; more is `TOO_MANY`. */
export const DEFAULT_REPLAY_LIMIT = 100;

/** Longest epoch an adapter may use, in characters (so a frame's size can be bounded before an append). */
export const MAX_EPOCH_LENGTH = 64;

/**
 * A place in a user's stream: the stream's `epoch` (a string that changes only when the
 * stream's history is lost or reset) and a `seq` (the position of the last notification seen,
 * `0` before the first one).
 */
export interface StreamPosition {
  readonly epoch: string;
  readonly seq: number;
}

/** A notification as a stream stores and replays it. */
export interface StreamNotification {
  readonly id: NotificationId;
  readonly seq: number;
  readonly data: unknown;
}

/** What `NotificationStream.append` returns: the notification's position, new or stored before. */
export interface Appended extends StreamPosition {
  /** `true` when the stream already held a notification with this id: `seq` is the stored one. */
  readonly duplicate: boolean;
}

/** Why `NotificationStream.readSince` could not answer completely. */
export type NotRecoveredReason = 'STREAM_RESET' | 'TOO_OLD' | 'TOO_MANY';

/**
 * What `NotificationStream.readSince` returns. `epoch` and `seq` are the stream's current
 * position (its top) either way, so a client can go on from there.
 */
export type ReadSinceResult =
  | {
      readonly recovered: true;
      readonly epoch: string;
      readonly seq: number;
      /** Every stored notification after the given position, in `seq` order. */
      readonly notifications: readonly StreamNotification[];
    }
  | {
      readonly recovered: false;
      readonly epoch: string;
      readonly seq: number;
      readonly reason: NotRecoveredReason;
    };

/** Options of `NotificationStream.readSince`. */
export interface ReadSinceOptions {
  /** Most notifications to return; more than that is `TOO_MANY`. Default {@link DEFAULT_REPLAY_LIMIT}. */
  readonly limit?: number;
}

/**
 * The epoch an adapter reports for a user whose stream does not exist yet (seq `0`). A client
 * at (`''`, 0) has missed nothing before the stream began, so it resumes from the start of
 * whatever epoch the stream has by then.
 */
export const NO_EPOCH = '';

/**
 * Decides a `readSince` from what an adapter read, so every adapter answers alike:
 * `top` is the stream's current position; `after` holds the unexpired notifications stored
 * after `since.seq`, in `seq` order, at least up to `limit + 1` of them when there are that
 * many. A position of another epoch, or beyond the top, is `STREAM_RESET`; more than `limit`
 * missed is `TOO_MANY`; a missed notification that is not there (expired, or a position whose
 * append never stored it) is `TOO_OLD`, the safe answer: the app reloads instead of missing it.
 */
export function decideReadSince(
  top: StreamPosition,
  since: StreamPosition | null,
  after: readonly StreamNotification[],
  limit: number,
): ReadSinceResult {
  const { epoch, seq } = top;
  if (since === null) return { recovered: true, epoch, seq, notifications: [] };
  const from = since.epoch === NO_EPOCH && since.seq === 0 ? { epoch, seq: 0 } : since;
  if (from.epoch !== epoch || from.seq > seq) return { recovered: false, epoch, seq, reason: 'STREAM_RESET' };
  if (from.seq === seq) return { recovered: true, epoch, seq, notifications: [] };
  if (after[0]?.seq !== from.seq + 1) return { recovered: false, epoch, seq, reason: 'TOO_OLD' };
  if (seq - from.seq > limit) return { recovered: false, epoch, seq, reason: 'TOO_MANY' };
  const notifications = after.filter((notification) => notification.seq <= seq);
  for (let i = 0; i < notifications.length; i++) {
    if (notifications[i]?.seq !== from.seq + 1 + i)
      return { recovered: false, epoch, seq, reason: 'TOO_OLD' };
  }
  if (notifications.length !== seq - from.seq) return { recovered: false, epoch, seq, reason: 'TOO_OLD' };
  return { recovered: true, epoch, seq, notifications };
}
