import { InMemoryMessageQueue, InMemoryQueue, type ReceivedMessage } from '@pushline/adapters/memory';
import { hasErrorCode, QueueSendError } from '@pushline/core';
import { describe, expect, it } from 'vitest';
import { describeMessageQueueContract } from '../contracts/message-queue.contract.js';

describeMessageQueueContract('InMemoryMessageQueue', () => {
  const queue = new InMemoryMessageQueue();
  return Promise.resolve({
    queue,
    receive: (kind) =>
      Promise.resolve(kind === 'NotifyUser' ? queue.notifyUser.take() : queue.notifyConnection.take()),
    dispose: () => {
      queue.notifyUser.clear();
      queue.notifyConnection.clear();
      return Promise.resolve();
    },
  });
});

describe('InMemoryMessageQueue', () => {
  it('names the messages an injected fault refused in a QueueSendError and enqueues the others', async () => {
    const queue = new InMemoryMessageQueue();
    queue.injectFault((_, body) => (body as { data: number }).data % 2 === 1);
    const sending = queue.sendNotifyConnection(
      [0, 1, 2, 3].map((data) => ({ connectionId: `c${data}`, data })),
    );
    await expect(sending).rejects.toThrow(QueueSendError);
    const error: unknown = await sending.catch((e: unknown) => e);
    expect(hasErrorCode(error, 'QUEUE_SEND_FAILED')).toBe(true);
    expect((error as QueueSendError).failedIndexes).toEqual([1, 3]);
    expect(queue.notifyConnection.take().map((m) => m.data)).toEqual([0, 2]);
  });
});

describe('InMemoryQueue', () => {
  it('delivers every message to a consumer once when it succeeds', async () => {
    const queue = new InMemoryQueue<number>('q');
    const seen: ReceivedMessage<number>[] = [];
    const stop = queue.consume((message) => {
      seen.push(message);
      return Promise.resolve();
    });
    queue.send([1, 2, 3]);
    await queue.idle();
    stop();
    expect(seen.map((m) => [m.body, m.receiveCount])).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
    expect(new Set(seen.map((m) => m.messageId)).size).toBe(3);
    expect(queue.deadLetters).toEqual([]);
  });

  it('redelivers a failed message with the same id and a growing receive count', async () => {
    const queue = new InMemoryQueue<string>('q', { retryDelayMs: () => 1 });
    const deliveries: ReceivedMessage<string>[] = [];
    const stop = queue.consume((message) => {
      deliveries.push(message);
      return message.receiveCount < 2 ? Promise.reject(new Error('flaky')) : Promise.resolve();
    });
    queue.send(['once-flaky']);
    await queue.idle();
    stop();
    expect(deliveries.map((m) => m.receiveCount)).toEqual([1, 2]);
    expect(new Set(deliveries.map((m) => m.messageId)).size).toBe(1);
    expect(queue.deadLetters).toEqual([]);
  });

  it('moves a message that fails maxReceiveCount deliveries to the dead letters, with its last error', async () => {
    const queue = new InMemoryQueue<string>('q', { maxReceiveCount: 3, retryDelayMs: () => 1 });
    let attempts = 0;
    const failure = new Error('always');
    const stop = queue.consume(() => {
      attempts += 1;
      return Promise.reject(failure);
    });
    const [messageId] = queue.send(['poison']);
    await queue.idle();
    stop();
    expect(attempts).toBe(3);
    expect(queue.deadLetters).toEqual([{ messageId, body: 'poison', error: failure }]);
    expect(queue.depth).toBe(0);
  });

  it('keeps nothing it delivered when keepAccepted is false', async () => {
    const queue = new InMemoryQueue<number>('q', { keepAccepted: false });
    const delivered: number[] = [];
    const stop = queue.consume((message) => {
      delivered.push(message.body);
      return Promise.resolve();
    });
    queue.send([1, 2, 3]);
    await queue.idle();
    stop();
    expect(delivered).toEqual([1, 2, 3]);
    expect(queue.accepted).toEqual([]);
  });

  it('tells onDeadLetter about each dead letter as it happens', async () => {
    const told: unknown[] = [];
    const queue = new InMemoryQueue<string>('q', {
      maxReceiveCount: 2,
      retryDelayMs: () => 1,
      onDeadLetter: (deadLetter) => told.push(deadLetter.body),
    });
    const stop = queue.consume((message) =>
      message.body === 'poison' ? Promise.reject(new Error('no')) : Promise.resolve(),
    );
    queue.send(['fine', 'poison']);
    await queue.idle();
    stop();
    expect(told).toEqual(['poison']);
  });

  it('keeps one poison message from holding back its neighbours', async () => {
    const queue = new InMemoryQueue<number>('q', { maxReceiveCount: 2, retryDelayMs: () => 1 });
    const done: number[] = [];
    const stop = queue.consume((message) => {
      if (message.body === 5) return Promise.reject(new Error('poison'));
      done.push(message.body);
      return Promise.resolve();
    });
    queue.send([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await queue.idle();
    stop();
    expect(done.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 6, 7, 8, 9, 10]);
    expect(queue.deadLetters.map((d) => d.body)).toEqual([5]);
  });

  it('records every accepted message, and take() empties what waits without a consumer', () => {
    const queue = new InMemoryQueue<string>('q');
    queue.send(['a', 'b']);
    expect(queue.accepted).toEqual(['a', 'b']);
    expect(queue.take()).toEqual(['a', 'b']);
    expect(queue.take()).toEqual([]);
    expect(queue.accepted).toEqual(['a', 'b']);
  });
});
