// NotifyUser and the user's stream: stored first (also with no socket), then pushed; a
// redelivery keeps its position; a stream fault stops everything before a push.
import { type NotificationStream, NotifyUser } from '@pushline/core';
import { describe, expect, it } from 'vitest';
import { createCore } from './fixture.js';

describe('NotifyUser and the stream', () => {
  it('stores a notification for a user with no socket at all, so a resume finds it', async () => {
    const core = createCore();
    const outcome = await core.notifyUser.execute({
      message: { userId: 'u1', data: 'x', id: 'n-1' },
      messageId: 'm',
    });
    expect(outcome).toMatchObject({ ok: true, value: { seq: 1, epoch: 'E', enqueued: 0, pages: 1 } });
    expect(await core.stream.readSince('u1', { epoch: 'E', seq: 0 })).toEqual({
      recovered: true,
      epoch: 'E',
      seq: 1,
      notifications: [{ id: 'n-1', seq: 1, data: 'x' }],
    });
  });

  it('gives a redelivery the stored position and sends it again under it (clients drop the seq they saw)', async () => {
    const core = createCore();
    await core.connect.execute({ connectionId: 'c1', userId: 'u1', expiresAt: core.clock.now() + 60_000 });
    const message = { userId: 'u1', data: 'x', id: 'n-1' };
    await core.notifyUser.execute({ message, messageId: 'm-1' });
    await core.notifyUser.execute({ message: { userId: 'u1', data: 'y', id: 'n-2' }, messageId: 'm-2' });
    const again = await core.notifyUser.execute({ message, messageId: 'm-3' });
    expect(again).toMatchObject({ ok: true, value: { seq: 1, duplicate: true, enqueued: 1 } });
    expect(core.messageQueue.notifyConnection.take().map((m) => [m.id, m.seq])).toEqual([
      ['n-1', 1],
      ['n-2', 2],
      ['n-1', 1],
    ]);
  });

  it('pushes and enqueues nothing when the append fails, and throws so the transport retries', async () => {
    const core = createCore();
    await core.connect.execute({ connectionId: 'c1', userId: 'u1', expiresAt: core.clock.now() + 60_000 });
    const failing: NotificationStream = {
      append: () => Promise.reject(new Error('ProvisionedThroughputExceededException')),
      readSince: (user, since) => core.stream.readSince(user, since),
    };
    const notifyUser = new NotifyUser(core.repository, core.queue, core.clock, failing);
    await expect(
      notifyUser.execute({ message: { userId: 'u1', data: 1, id: 'n-1' }, messageId: 'm' }),
    ).rejects.toThrow('ProvisionedThroughputExceededException');
    expect(core.messageQueue.notifyConnection.accepted).toEqual([]);
    expect(core.pusher.framesOf('c1')).toEqual([]);
  });

  it('refuses a notification too large for a frame before storing it', async () => {
    const core = createCore();
    const outcome = await core.notifyUser.execute({
      message: { userId: 'u1', data: 'x'.repeat(200_000), id: 'big' },
      messageId: 'm',
    });
    expect(outcome.ok ? null : outcome.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await core.stream.readSince('u1', null)).toMatchObject({ seq: 0 });
  });
});
