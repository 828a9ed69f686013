import type { ReadSinceResult, StreamNotification, StreamPosition } from '../ports/notification-stream.js';

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
