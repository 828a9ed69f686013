import { MAX_QUEUE_BATCH, type SendOptions } from '@pushline/core';

/** A message as a consumer sees it. */
export interface ReceivedMessage<T> {
  /** Unique per message, stable across redeliveries (like an SQS message id). */
  readonly messageId: string;
  readonly body: T;
  /** 1 on the first delivery, then 2, 3… */
  readonly receiveCount: number;
  /** When the message was sent, in epoch ms (SQS's `SentTimestamp`). */
  readonly sentAt: number;
}

/** A message that failed every delivery and was moved aside, with the last error. */
export interface DeadLetter<T> {
  readonly messageId: string;
  readonly body: T;
  readonly error: unknown;
}

/** Options of {@link InMemoryQueue}. */
export interface InMemoryQueueOptions {
  /** Deliveries before a failing message moves to the dead letters (SQS's `maxReceiveCount`); default 3. */
  readonly maxReceiveCount?: number;
  /** Messages handled at once by a consumer; default 64. */
  readonly concurrency?: number;
  /** Wait before redelivering a failed message, by receive count, in ms; default 10 ms × count. */
  readonly retryDelayMs?: (receiveCount: number) => number;
  /**
   * Whether to keep every accepted message for {@link InMemoryQueue.accepted} (tests read it);
   * default true. A long-running process sets it to false, or memory grows with every message.
   */
  readonly keepAccepted?: boolean;
  /** Told about each message that becomes a dead letter (for logs and alarms). */
  readonly onDeadLetter?: (deadLetter: DeadLetter<unknown>) => void;
}

type Handler<T> = (message: ReceivedMessage<T>) => Promise<void>;

interface Pending<T> {
  readonly messageId: string;
  readonly body: T;
  readonly sentAt: number;
  receiveCount: number;
}

/**
 * One queue in memory, with SQS's delivery model for a single process: at-least-once
 * delivery to one consumer, redelivery after a failure, and a dead-letter list after
 * `maxReceiveCount` failed deliveries. Without a consumer, messages wait (tests read them
 * with {@link InMemoryQueue.take}).
 */
export class InMemoryQueue<T> {
  private readonly ready: Pending<T>[] = [];
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly waiters: (() => void)[] = [];
  private readonly acceptedBodies: T[] = [];
  private readonly dead: DeadLetter<T>[] = [];
  private handler: Handler<T> | null = null;
  private inFlight = 0;
  private sequence = 0;
  private readonly maxReceiveCount: number;
  private readonly concurrency: number;
  private readonly retryDelayMs: (receiveCount: number) => number;
  private readonly onDeadLetter: ((deadLetter: DeadLetter<unknown>) => void) | undefined;
  private readonly keepAccepted: boolean;

  constructor(
    readonly name: string,
    options: InMemoryQueueOptions = {},
  ) {
    this.maxReceiveCount = options.maxReceiveCount ?? 3;
    this.concurrency = options.concurrency ?? 64;
    this.retryDelayMs = options.retryDelayMs ?? ((count) => 10 * count);
    this.onDeadLetter = options.onDeadLetter;
    this.keepAccepted = options.keepAccepted ?? true;
  }

  /** Accepts up to {@link MAX_QUEUE_BATCH} messages; they become visible after `delaySeconds`. */
  send(bodies: readonly T[], options: SendOptions = {}): string[] {
    if (bodies.length > MAX_QUEUE_BATCH) {
      throw new RangeError(`a batch holds at most ${MAX_QUEUE_BATCH} messages, got ${bodies.length}`);
    }
    const ids: string[] = [];
    for (const body of bodies) {
      this.sequence += 1;
      const pending: Pending<T> = {
        messageId: `${this.name}-${this.sequence}`,
        body,
        sentAt: Date.now(),
        receiveCount: 0,
      };
      ids.push(pending.messageId);
      if (this.keepAccepted) this.acceptedBodies.push(body);
      this.enqueue(pending, (options.delaySeconds ?? 0) * 1000);
    }
    return ids;
  }

  /**
   * Delivers every message, now and later, to `handler`. A handler that throws gets the
   * message again after a delay, until `maxReceiveCount`; then it becomes a dead letter.
   * Returns a function that stops consuming.
   */
  consume(handler: Handler<T>): () => void {
    this.handler = handler;
    this.pump();
    return () => {
      if (this.handler === handler) this.handler = null;
    };
  }

  /** Removes and returns the messages waiting for a consumer (for tests without one). */
  take(): T[] {
    return this.ready.splice(0).map((pending) => pending.body);
  }

  /** Every message ever accepted, in order (for tests; empty when `keepAccepted` is false). */
  get accepted(): readonly T[] {
    return this.acceptedBodies;
  }

  /** Messages that failed every delivery. */
  get deadLetters(): readonly DeadLetter<T>[] {
    return this.dead;
  }

  /** Messages waiting, delayed or being handled. */
  get depth(): number {
    return this.ready.length + this.timers.size + this.inFlight;
  }

  /** Resolves once nothing is waiting, delayed or in flight (with a consumer attached). */
  idle(): Promise<void> {
    if (this.depth === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Stops every timer; pending messages are dropped (for shutdown and tests). */
  clear(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.ready.length = 0;
    this.settle();
  }

  private enqueue(pending: Pending<T>, delayMs: number): void {
    if (delayMs <= 0) {
      this.ready.push(pending);
      this.pump();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.ready.push(pending);
      this.pump();
    }, delayMs);
    this.timers.add(timer);
  }

  private pump(): void {
    const handler = this.handler;
    if (handler === null) return;
    while (this.inFlight < this.concurrency && this.ready.length > 0) {
      const pending = this.ready.shift();
      if (pending === undefined) break;
      pending.receiveCount += 1;
      this.inFlight += 1;
      void this.deliver(handler, pending);
    }
  }

  private async deliver(handler: Handler<T>, pending: Pending<T>): Promise<void> {
    try {
      await handler({
        messageId: pending.messageId,
        body: pending.body,
        receiveCount: pending.receiveCount,
        sentAt: pending.sentAt,
      });
    } catch (error) {
      if (pending.receiveCount >= this.maxReceiveCount) {
        const deadLetter = { messageId: pending.messageId, body: pending.body, error };
        this.dead.push(deadLetter);
        this.onDeadLetter?.(deadLetter);
      } else {
        this.enqueue(pending, this.retryDelayMs(pending.receiveCount));
      }
    } finally {
      this.inFlight -= 1;
      this.pump();
      this.settle();
    }
  }

  private settle(): void {
    if (this.depth !== 0) return;
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}
