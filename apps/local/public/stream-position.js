// The client side of resume (docs/protocol.md): keep the last epoch and seq, advance them
// before handling a notification, drop a seq already seen, and resume after every reconnect.

/**
 * Decides what to do with a notification frame, given the last position:
 * `show` (and the new position), `drop` (seen before), or `resume` (a gap or another epoch:
 * ask the server for what is missing instead of guessing).
 *
 * @param {{ epoch: string, seq: number } | null} position
 * @param {{ seq?: number, epoch?: string }} frame
 * @returns {{ action: 'show', position: { epoch: string, seq: number } | null } | { action: 'drop' } | { action: 'resume' }}
 */
export function onNotification(position, frame) {
  // A notification addressed to this connection only has no place in the stream.
  if (typeof frame.seq !== 'number' || typeof frame.epoch !== 'string') return { action: 'show', position };
  if (position === null || frame.epoch !== position.epoch) return { action: 'resume' };
  if (frame.seq <= position.seq) return { action: 'drop' };
  if (frame.seq > position.seq + 1) return { action: 'resume' };
  return { action: 'show', position: { epoch: frame.epoch, seq: frame.seq } };
}
