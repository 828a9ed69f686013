import {
  type ConnectionRepository,
  MAX_EPOCH_LENGTH,
  MAX_PAYLOAD_BYTES,
  NotifyUser,
  QueueSendError,
  serializeFrame,
  utf8ByteLength,
} from '@pushline/core';
import { InMemoryMessageQueue, InMemoryNotificationStream, ManualClock } from '@pushline/adapters/memory';
import { describe, expect, it } from 'vitest';
import { type Core, createCore } from './fixture.js';

async function connectMany(core: Core, userId: string | null, count: number, prefix = userId ?? 'anon') {
  for (let i = 0; i < count; i++) {
    const connectionId = `${prefix}-${String(i).padStart(3, '0')}`;
    await core.connect.execute(userId === null ? { connectionId } : { connectionId, userId });
  }
}

/** Data that makes the notification frame exactly `bytes` long. */
function dataForFrameOf(bytes: number, id: string): string {
  // NotifyUser measures a frame at the largest position it could get.
  const overhead = utf8ByteLength(
    serializeFrame({
      type: 'notification',
      id,
      seq: Number.MAX_SAFE_INTEGER,
      epoch: 'e'.repeat(MAX_EPOCH_LENGTH),
      data: '',
    }),
  );
  return 'd'.repeat(bytes - overhead);
}

describe('NotifyUser', () => {
  it('enqueues one NotifyConnection per connection of the user, with the message id', async () => {
    const core = createCore();
    await connectMany(core, 'u1', 3);
    await connectMany(core, 'u2', 2);
    await connectMany(core, null, 2);
    const outcome = await core.notifyUser.execute({
      message: { userId: 'u1', data: { n: 1 } },
      messageId: 'm-1',
    });
    expect(outcome).toEqual({
      ok: true,
      value: {
        notificationId: 'm-1',
        seq: 1,
        epoch: 'E',
        duplicate: false,
        enqueued: 3,
        pushed: 0,
        gone: 0,
        refused: 0,
        connecting: 0,
        batches: 1,
        pages: 1,
        expired: 0,
        malformed: [],
      },
    });
    expect(core.messageQueue.notifyConnection.take()).toEqual([
      { connectionId: 'u1-000', data: { n: 1 }, id: 'm-1', seq: 1, epoch: 'E' },
      { connectionId: 'u1-001', data: { n: 1 }, id: 'm-1', seq: 1, epoch: 'E' },
      { connectionId: 'u1-002', data: { n: 1 }, id: 'm-1', seq: 1, epoch: 'E' },
    ]);
  });

  it('uses the message’s own id as the notification id', async () => {
    const core = createCore();
    await connectMany(core, 'u1', 2);
    const outcome = await core.notifyUser.execute({
      message: { userId: 'u1', data: null, id: 'n-7' },
      messageId: 'm-1',
    });
    expect(outcome.ok && outcome.value.notificationId).toBe('n-7');
    expect(core.messageQueue.notifyConnection.take().map((m) => m.id)).toEqual(['n-7', 'n-7']);
  });

  it('enqueues nothing for a user with no connections', async () => {
    const core = createCore();
    await connectMany(core, 'u2', 4);
    const outcome = await core.notifyUser.execute({ message: { userId: 'u1', data: 1 }, messageId: 'm' });
    expect(outcome.ok && outcome.value).toMatchObject({ enqueued: 0, batches: 0, pages: 1 });
    expect(core.queue.notifyConnectionBatches).toEqual([]);
  });

  it('sends batches of at most 10 across pages', async () => {
    const core = createCore({ pageSize: 7 });
    await connectMany(core, 'u1', 25);
    const outcome = await core.notifyUser.execute({ message: { userId: 'u1', data: 1 }, messageId: 'm' });
    expect(outcome.ok && outcome.value).toMatchObject({ enqueued: 25, batches: 3, pages: 4 });
    expect(core.queue.notifyConnectionBatches.map((batch) => batch.length)).toEqual([10, 10, 5]);
  });

  it('skips and counts records past their expiry time', async () => {
    const core = createCore({ ttlMs: 1_000 });
    await connectMany(core, 'u1', 2, 'old');
    core.clock.advance(600);
    await connectMany(core, 'u1', 3, 'new');
    core.clock.advance(400);
    const outcome = await core.notifyUser.execute({ message: { userId: 'u1', data: 1 }, messageId: 'm' });
    expect(outcome.ok && outcome.value).toMatchObject({ enqueued: 3, expired: 2 });
    expect(core.messageQueue.notifyConnection.take().map((m) => m.connectionId)).toEqual([
      'new-000',
      'new-001',
      'new-002',
    ]);
  });

  it('accepts a notification whose frame is exactly 131072 bytes', async () => {
    const core = createCore();
    await connectMany(core, 'u1', 1);
    const data = dataForFrameOf(MAX_PAYLOAD_BYTES, 'm');
    const outcome = await core.notifyUser.execute({ message: { userId: 'u1', data }, messageId: 'm' });
    expect(outcome.ok && outcome.value.enqueued).toBe(1);
  });

  it('refuses a notification whose frame is 131073 bytes with PAYLOAD_TOO_LARGE, before reading the registry', async () => {
    const core = createCore();
    const reads: string[] = [];
    const registry: ConnectionRepository = {
      save: (c) => core.repository.save(c),
      find: (id) => core.repository.find(id),
      remove: (id) => core.repository.remove(id),
      removeIfAnonymous: (id) => core.repository.removeIfAnonymous(id),
      removeIfConnectedBefore: (id, before) => core.repository.removeIfConnectedBefore(id, before),
      assignUser: (id, user) => core.repository.assignUser(id, user),
      findByUser: (user, options) => {
        reads.push(user);
        return core.repository.findByUser(user, options);
      },
    };
    await connectMany(core, 'u1', 3);
    const queue = new InMemoryMessageQueue();
    const notifyUser = new NotifyUser(registry, queue, core.clock, core.stream);
    const data = dataForFrameOf(MAX_PAYLOAD_BYTES + 1, 'm');
    const outcome = await notifyUser.execute({ message: { userId: 'u1', data }, messageId: 'm' });
    expect(outcome).toEqual({
      ok: false,
      error: {
        code: 'PAYLOAD_TOO_LARGE',
        message: 'notification of 131073 bytes exceeds the limit of 131072 bytes',
      },
    });
    expect(reads).toEqual([]);
    expect(queue.notifyConnection.accepted).toEqual([]);
  });

  it('counts multi-byte data in UTF-8 bytes', async () => {
    const core = createCore();
    await connectMany(core, 'u1', 1);
    const overhead = utf8ByteLength(
      serializeFrame({ type: 'notification', id: 'm', seq: 1, epoch: 'e', data: '' }),
    );
    const data = '€'.repeat(Math.ceil((MAX_PAYLOAD_BYTES - overhead + 1) / 3));
    const outcome = await core.notifyUser.execute({ message: { userId: 'u1', data }, messageId: 'm' });
    expect(outcome.ok ? null : outcome.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(core.messageQueue.notifyConnection.accepted).toEqual([]);
  });

  it('reports malformed records and still notifies the readable ones', async () => {
    const registry: ConnectionRepository = {
      save: () => Promise.resolve(),
      find: () => Promise.resolve(null),
      remove: () => Promise.resolve(),
      removeIfAnonymous: () => Promise.reject(new Error('unused')),
      removeIfConnectedBefore: () => Promise.reject(new Error('unused')),
      assignUser: () => Promise.reject(new Error('unused')),
      findByUser: () =>
        Promise.resolve({
          connections: [{ connectionId: 'c1', userId: 'u1', connectedAt: 0, expiresAt: 10_000 }],
          cursor: null,
          malformed: [{ connectionId: 'c2', reason: 'expiresAt is not a number' }],
        }),
    };
    const queue = new InMemoryMessageQueue();
    const outcome = await new NotifyUser(
      registry,
      queue,
      new ManualClock(0),
      new InMemoryNotificationStream({ clock: new ManualClock(0) }),
    ).execute({
      message: { userId: 'u1', data: 1 },
      messageId: 'm',
    });
    expect(outcome.ok && outcome.value).toMatchObject({
      enqueued: 1,
      malformed: [{ connectionId: 'c2', reason: 'expiresAt is not a number' }],
    });
  });

  it('throws a queue fault so that the transport retries the whole message', async () => {
    const core = createCore();
    await connectMany(core, 'u1', 12);
    core.messageQueue.injectFault((_, body) => (body as { connectionId: string }).connectionId === 'u1-011');
    await expect(
      core.notifyUser.execute({ message: { userId: 'u1', data: 1 }, messageId: 'm' }),
    ).rejects.toSatisfy((error) => error instanceof QueueSendError && error.code === 'QUEUE_SEND_FAILED');
  });

  it('throws a registry fault', async () => {
    const core = createCore();
    const registry: ConnectionRepository = {
      save: () => Promise.resolve(),
      find: () => Promise.resolve(null),
      remove: () => Promise.resolve(),
      removeIfAnonymous: () => Promise.reject(new Error('unused')),
      removeIfConnectedBefore: () => Promise.reject(new Error('unused')),
      assignUser: () => Promise.reject(new Error('unused')),
      findByUser: () => Promise.reject(new Error('ProvisionedThroughputExceededException')),
    };
    const notifyUser = new NotifyUser(registry, core.queue, core.clock, core.stream);
    await expect(notifyUser.execute({ message: { userId: 'u1', data: 1 }, messageId: 'm' })).rejects.toThrow(
      'ProvisionedThroughputExceededException',
    );
  });
});
