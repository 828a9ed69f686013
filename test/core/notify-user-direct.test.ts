import {
  InMemoryConnectionPusher,
  InMemoryConnectionRepository,
  InMemoryMessageQueue,
  InMemoryNotificationStream,
  ManualClock,
} from '@pushline/adapters/memory';
import { NotifyConnection, NotifyUser, TransientError } from '@pushline/core';
import { describe, expect, it } from 'vitest';

async function setUp(sockets: number, maxConnections: number, pageSize = 100) {
  const clock = new ManualClock(10_000);
  const repository = new InMemoryConnectionRepository();
  const queue = new InMemoryMessageQueue();
  const pusher = new InMemoryConnectionPusher(clock);
  for (let i = 0; i < sockets; i++) {
    const connectionId = `c${i}`;
    pusher.open(connectionId);
    await repository.save({ connectionId, userId: 'u1', connectedAt: 1_000, expiresAt: 100_000 });
  }
  const stream = new InMemoryNotificationStream({ clock, epoch: 'E' });
  const delivery = new NotifyConnection(pusher, repository, clock);
  const notifyUser = new NotifyUser(repository, queue, clock, stream, {
    pageSize,
    directPush: { delivery, maxConnections },
  });
  return { repository, queue, pusher, notifyUser };
}

const frame = '{"type":"notification","id":"n-1","seq":1,"epoch":"E","data":{"hello":1}}';
const message = { userId: 'u1', data: { hello: 1 }, id: 'n-1' };

describe('NotifyUser with directPush', () => {
  it('pushes to a user with few connections in place, with no queue hop', async () => {
    const { queue, pusher, notifyUser } = await setUp(3, 10);
    const outcome = await notifyUser.execute({ message, messageId: 'm-1' });
    expect(outcome).toMatchObject({ ok: true, value: { pushed: 3, enqueued: 0, batches: 0, gone: 0 } });
    for (const id of ['c0', 'c1', 'c2']) expect(pusher.framesOf(id)).toEqual([frame]);
    expect(queue.notifyConnection.accepted).toEqual([]);
  });

  it('enqueues as usual when the user has more connections than the limit', async () => {
    const { queue, pusher, notifyUser } = await setUp(11, 10);
    const outcome = await notifyUser.execute({ message, messageId: 'm-1' });
    expect(outcome).toMatchObject({ ok: true, value: { pushed: 0, enqueued: 11, batches: 2 } });
    expect(pusher.framesOf('c0')).toEqual([]);
    expect(queue.notifyConnection.accepted).toHaveLength(11);
  });

  it('enqueues as usual when the connections span more than one page', async () => {
    const { queue, notifyUser } = await setUp(4, 10, 3);
    const outcome = await notifyUser.execute({ message, messageId: 'm-1' });
    expect(outcome).toMatchObject({ ok: true, value: { pushed: 0, enqueued: 4, pages: 2 } });
    expect(queue.notifyConnection.accepted).toHaveLength(4);
  });

  it('removes the record of a gone socket and still pushes to the others', async () => {
    const { repository, pusher, notifyUser } = await setUp(3, 10);
    pusher.close('c1');
    const outcome = await notifyUser.execute({ message, messageId: 'm-1' });
    expect(outcome).toMatchObject({ ok: true, value: { pushed: 2, gone: 1, enqueued: 0 } });
    expect(
      repository
        .all()
        .map((c) => c.connectionId)
        .sort(),
    ).toEqual(['c0', 'c2']);
  });

  it('keeps the record of a socket answered gone while it may still be connecting', async () => {
    const { repository, pusher, notifyUser } = await setUp(2, 10);
    await repository.save({ connectionId: 'young', userId: 'u1', connectedAt: 9_000, expiresAt: 100_000 });
    const outcome = await notifyUser.execute({ message, messageId: 'm-1' });
    expect(outcome).toMatchObject({ ok: true, value: { pushed: 2, gone: 0, connecting: 1 } });
    expect(await repository.find('young')).not.toBeNull();
    expect(pusher.framesOf('c0')).toEqual([frame]);
  });

  it('never re-queues a push the transport refused as too large', async () => {
    const { queue, pusher } = await setUp(2, 10);
    const refusing = new NotifyConnection(
      {
        push: () =>
          Promise.resolve({ ok: false, error: { code: 'PAYLOAD_TOO_LARGE', message: 'over 32 KiB' } }),
        disconnect: (id) => pusher.disconnect(id),
        info: (id) => pusher.info(id),
      },
      new InMemoryConnectionRepository(),
      new ManualClock(10_000),
    );
    const repository = new InMemoryConnectionRepository();
    await repository.save({ connectionId: 'c0', userId: 'u1', connectedAt: 1_000, expiresAt: 100_000 });
    const direct = new NotifyUser(
      repository,
      queue,
      new ManualClock(10_000),
      new InMemoryNotificationStream({ clock: new ManualClock(0) }),
      {
        directPush: { delivery: refusing, maxConnections: 10 },
      },
    );
    const outcome = await direct.execute({ message, messageId: 'm-1' });
    expect(outcome).toMatchObject({ ok: true, value: { pushed: 0, refused: 1, enqueued: 0, batches: 0 } });
    expect(queue.notifyConnection.accepted).toEqual([]);
  });

  it('hands a push that fails to the queue, alone, with the same notification id', async () => {
    const { queue, pusher, notifyUser } = await setUp(3, 10);
    pusher.injectFault((connectionId) => (connectionId === 'c2' ? new TransientError('throttled') : null));
    const outcome = await notifyUser.execute({ message, messageId: 'm-1' });
    expect(outcome).toMatchObject({ ok: true, value: { pushed: 2, enqueued: 1, batches: 1 } });
    expect(queue.notifyConnection.accepted).toEqual([
      { connectionId: 'c2', data: { hello: 1 }, id: 'n-1', seq: 1, epoch: 'E' },
    ]);
    expect(pusher.framesOf('c2')).toEqual([]);
  });

  it('hands failed pushes to the queue in batches of at most 10, when the limit is above 10', async () => {
    const { queue, pusher, notifyUser } = await setUp(15, 20);
    pusher.injectFault(() => new TransientError('throttled'));
    const outcome = await notifyUser.execute({ message, messageId: 'm-1' });
    expect(outcome).toMatchObject({ ok: true, value: { pushed: 0, enqueued: 15, batches: 2 } });
    expect(queue.notifyConnection.accepted).toHaveLength(15);
  });
});
