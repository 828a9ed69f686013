import type { NotifyConnectionMessage, NotifyUserMessage } from '../domain/queue-messages.js';

/** Most messages in one call to a {@link MessageQueue} (SQS `SendMessageBatch` takes 10). */
export const MAX_QUEUE_BATCH = 10;

/** Options of one send. */
export interface SendOptions {
  /** Delay before the messages become visible, in seconds (SQS allows 0 to 900). */
  readonly delaySeconds?: number;
}

/**
 * The two notification queues: `NotifyUser` (fan out to a user's sockets) and
 * `NotifyConnection` (push to one socket).
 *
 * Guarantees every adapter must keep (test/contracts/message-queue.contract.ts):
 * - each call takes 0 to {@link MAX_QUEUE_BATCH} messages and throws a `RangeError` for more
 *   (callers batch; an adapter never splits silently);
 * - when it resolves, every message was accepted by the queue, at least once;
 * - when some messages cannot be enqueued, even after retries, it throws a `QueueSendError`
 *   naming them: nothing is dropped silently;
 * - a message is delivered as it was sent (same fields, same `data`).
 *
 * @example
 * ```ts
 * await queue.sendNotifyConnection([{ connectionId: 'abc', data: { hello: 'world' }, id: 'n-1' }]);
 * ```
 */
export interface MessageQueue {
  /** Enqueues NotifyUser messages. */
  sendNotifyUser(messages: readonly NotifyUserMessage[], options?: SendOptions): Promise<void>;
  /** Enqueues NotifyConnection messages. */
  sendNotifyConnection(messages: readonly NotifyConnectionMessage[], options?: SendOptions): Promise<void>;
}
