import {
  type MessageQueue,
  type NotifyConnectionMessage,
  type NotifyUserMessage,
  QueueSendError,
  type SendOptions,
} from '@pushline/core';
import { InMemoryQueue, type InMemoryQueueOptions } from './in-memory-queue.js';

/** Decides whether one message's send fails (fault injection for tests). */
export type SendFault = (queue: 'NotifyUser' | 'NotifyConnection', body: unknown) => boolean;

/**
 * Both notification queues in memory ({@link InMemoryQueue} each). Keeps every guarantee of
 * `MessageQueue`: batches of at most 10, and a `QueueSendError` naming the messages that
 * could not be enqueued (only when a fault is injected).
 */
export class InMemoryMessageQueue implements MessageQueue {
  readonly notifyUser: InMemoryQueue<NotifyUserMessage>;
  readonly notifyConnection: InMemoryQueue<NotifyConnectionMessage>;
  private fault: SendFault | null = null;

  constructor(options: InMemoryQueueOptions = {}) {
    this.notifyUser = new InMemoryQueue('NotifyUser', options);
    this.notifyConnection = new InMemoryQueue('NotifyConnection', options);
  }

  /** Makes matching sends fail until cleared with `null`. */
  injectFault(fault: SendFault | null): void {
    this.fault = fault;
  }

  sendNotifyUser(messages: readonly NotifyUserMessage[], options?: SendOptions): Promise<void> {
    return this.send(this.notifyUser, 'NotifyUser', messages, options);
  }

  sendNotifyConnection(messages: readonly NotifyConnectionMessage[], options?: SendOptions): Promise<void> {
    return this.send(this.notifyConnection, 'NotifyConnection', messages, options);
  }

  private send<T>(
    queue: InMemoryQueue<T>,
    name: 'NotifyUser' | 'NotifyConnection',
    messages: readonly T[],
    options?: SendOptions,
  ): Promise<void> {
    try {
      const fault = this.fault;
      const failed = new Set<number>();
      if (fault !== null) messages.forEach((body, index) => fault(name, body) && failed.add(index));
      queue.send(
        messages.filter((_, index) => !failed.has(index)),
        options,
      );
      if (failed.size > 0) {
        const message = `${failed.size} message(s) could not be enqueued on ${name}`;
        return Promise.reject(new QueueSendError(message, [...failed]));
      }
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
