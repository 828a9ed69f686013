import {
  type ClientFrame,
  errorFrame,
  MAX_PAYLOAD_BYTES,
  type ResumedFrame,
  type ServerFrame,
} from '../domain/frame.js';
import { exceedsUtf8Bytes, serializeFrame } from '../domain/frame.js';
import { isSeq } from '../domain/queue-messages.js';
import type { UserId } from '../domain/ids.js';
import {
  DEFAULT_REPLAY_LIMIT,
  type ReadSinceOptions,
  type ReadSinceResult,
  type StreamPosition,
} from '../domain/stream.js';
import type { Action, ActionContext } from './action.js';
import type { BuiltInActionName } from './built-in.js';

/** What resume reads: the sender's stream after a position (a `NotificationStream` is one). */
export interface StreamReader {
  readSince(
    userId: UserId,
    since: StreamPosition | null,
    options?: ReadSinceOptions,
  ): Promise<ReadSinceResult>;
}

/** Options of {@link ResumeAction}. */
export interface ResumeOptions {
  /** Most notifications one reply replays; default {@link DEFAULT_REPLAY_LIMIT}. */
  readonly replayLimit?: number;
}

/** Room kept in a reply for the `requestId` Route echoes (64 characters, quoted and escaped). */
const REQUEST_ID_RESERVE = 512;

/**
 * `{"action":"resume","epoch":"<last epoch>","seq":<last seq>}` → one `resumed` frame with every
 * notification of the sender's stream after that position, or `recovered: false` and a
 * reason; `{"action":"resume"}` → the current position and no notifications.
 *
 * Reads only the stream of the authorized sender (`context.userId`, from the registry or the
 * authorizer): no argument names a user, so no argument can reach another user's stream.
 * Anonymous senders get `UNAUTHORIZED` from Route; bad arguments `MALFORMED_FRAME`.
 */
export class ResumeAction implements Action {
  readonly name = 'resume' satisfies BuiltInActionName;
  readonly allowAnonymous = false;
  private readonly replayLimit: number;

  constructor(
    private readonly stream: StreamReader,
    options: ResumeOptions = {},
  ) {
    this.replayLimit = options.replayLimit ?? DEFAULT_REPLAY_LIMIT;
  }

  async handle(frame: ClientFrame, context: ActionContext): Promise<ServerFrame> {
    const { userId } = context;
    if (userId === null) return errorFrame('UNAUTHORIZED', "authorize before using 'resume'");
    const { epoch, seq } = frame;
    let since: StreamPosition | null = null;
    if (epoch !== undefined || seq !== undefined) {
      if (typeof epoch !== 'string' || !isSeq(seq)) {
        return errorFrame(
          'MALFORMED_FRAME',
          "'epoch' (a string) and 'seq' (a non-negative integer) must be given together, or neither",
        );
      }
      since = { epoch, seq };
    }
    const read = await this.stream.readSince(userId, since, { limit: this.replayLimit });
    if (!read.recovered) return notRecovered(read.epoch, read.seq, read.reason);
    const reply: ResumedFrame = {
      type: 'resumed',
      epoch: read.epoch,
      seq: read.seq,
      recovered: true,
      notifications: read.notifications.map(({ id, seq: position, data }) => ({ id, seq: position, data })),
    };
    // One frame or nothing: a reply that would not fit is TOO_MANY, and the app reloads.
    if (exceedsUtf8Bytes(serializeFrame(reply), MAX_PAYLOAD_BYTES - REQUEST_ID_RESERVE)) {
      return notRecovered(read.epoch, read.seq, 'TOO_MANY');
    }
    return reply;
  }
}

function notRecovered(
  epoch: string,
  seq: number,
  reason: 'STREAM_RESET' | 'TOO_OLD' | 'TOO_MANY',
): ResumedFrame {
  return { type: 'resumed', epoch, seq, recovered: false, reason, notifications: [] };
}
