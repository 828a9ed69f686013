import {
  type Appended,
  type Clock,
  decideReadSince,
  DEFAULT_REPLAY_LIMIT,
  DEFAULT_STREAM_RETENTION_MS,
  type NotificationId,
  type NotificationStream,
  type ReadSinceOptions,
  type ReadSinceResult,
  type StreamNotification,
  type StreamPosition,
  type UserId,
} from '@pushline/core';
import { randomUUID } from 'node:crypto';

/** Options of {@link InMemoryNotificationStream}. */
export interface InMemoryNotificationStreamOptions {
  /** Where "now" comes from: retention is measured with it. */
  readonly clock: Clock;
  /** How long a notification stays replayable; default `DEFAULT_STREAM_RETENTION_MS` (24 h). */
  readonly retentionMs?: number;
  /**
   * Most notifications kept per user, oldest forgotten first (a position before them is then
   * `TOO_OLD`): bounds the memory of a busy user. Default 1,000.
   */
  readonly maxPerUser?: number;
  /** The epoch of every stream of this instance; default a random one (a restart is a reset). */
  readonly epoch?: string;
}

interface Stored extends StreamNotification {
  readonly at: number;
}

interface UserStream {
  top: number;
  /** Kept notifications, in `seq` order. */
  readonly items: Stored[];
  /** Ids of the kept notifications, to their `seq`: the idempotency window. */
  readonly ids: Map<NotificationId, number>;
}

/**
 * Every user's notification stream in this process's memory, for the standalone server and
 * tests. Keeps every guarantee of `NotificationStream`: one epoch per instance (the history
 * lives as long as the process, so a restart is `STREAM_RESET` for every client), idempotent
 * by id for as long as the notification is kept, and bounded by retention and `maxPerUser`.
 */
export class InMemoryNotificationStream implements NotificationStream {
  private readonly users = new Map<UserId, UserStream>();
  private readonly clock: Clock;
  private readonly retentionMs: number;
  private readonly maxPerUser: number;
  private readonly epoch: string;

  constructor(options: InMemoryNotificationStreamOptions) {
    this.clock = options.clock;
    this.retentionMs = options.retentionMs ?? DEFAULT_STREAM_RETENTION_MS;
    this.maxPerUser = options.maxPerUser ?? 1000;
    this.epoch = options.epoch ?? randomUUID();
  }

  append(
    userId: UserId,
    notification: { readonly id: NotificationId; readonly data: unknown },
  ): Promise<Appended> {
    const now = this.clock.now();
    let stream = this.users.get(userId);
    if (stream === undefined) {
      stream = { top: 0, items: [], ids: new Map() };
      this.users.set(userId, stream);
    }
    this.prune(stream, now);
    const stored = stream.ids.get(notification.id);
    if (stored !== undefined) return Promise.resolve({ epoch: this.epoch, seq: stored, duplicate: true });
    stream.top += 1;
    const seq = stream.top;
    stream.items.push({ id: notification.id, seq, data: notification.data, at: now });
    stream.ids.set(notification.id, seq);
    if (stream.items.length > this.maxPerUser) this.forgetOldest(stream);
    return Promise.resolve({ epoch: this.epoch, seq, duplicate: false });
  }

  readSince(
    userId: UserId,
    since: StreamPosition | null,
    options: ReadSinceOptions = {},
  ): Promise<ReadSinceResult> {
    const limit = options.limit ?? DEFAULT_REPLAY_LIMIT;
    const stream = this.users.get(userId);
    const top = { epoch: this.epoch, seq: stream?.top ?? 0 };
    if (stream === undefined || since === null)
      return Promise.resolve(decideReadSince(top, since, [], limit));
    this.prune(stream, this.clock.now());
    const after = stream.items
      .filter((item) => item.seq > since.seq)
      .slice(0, limit + 1)
      .map(({ id, seq, data }) => ({ id, seq, data }));
    return Promise.resolve(decideReadSince(top, since, after, limit));
  }

  /** Forgets notifications past retention (a user with none left keeps its position). */
  private prune(stream: UserStream, now: number): void {
    while (stream.items.length > 0 && (stream.items[0]?.at ?? now) + this.retentionMs <= now) {
      this.forgetOldest(stream);
    }
  }

  private forgetOldest(stream: UserStream): void {
    const oldest = stream.items.shift();
    if (oldest !== undefined) stream.ids.delete(oldest.id);
  }
}
