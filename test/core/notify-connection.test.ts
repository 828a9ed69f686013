import {
  type ConnectionPusher,
  fail,
  MAX_PAYLOAD_BYTES,
  NotifyConnection,
  serializeFrame,
  TransientError,
  utf8ByteLength,
} from '@pushline/core';
import { describe, expect, it } from 'vitest';
import { createCore } from './fixture.js';

async function setup() {
  const core = createCore();
  for (const [connectionId, userId] of [
    ['c1', 'u1'],
    ['c2', 'u1'],
    ['c3', 'u2'],
  ] as const) {
    core.pusher.open(connectionId);
    await core.connect.execute({ connectionId, userId });
  }
  return core;
}

function dataForFrameOf(bytes: number, id: string): string {
  const overhead = utf8ByteLength(serializeFrame({ type: 'notification', id, data: '' }));
  return 'd'.repeat(bytes - overhead);
}

describe('NotifyConnection', () => {
  it('delivers a notification frame with the data as sent', async () => {
    const core = await setup();
    const outcome = await core.notifyConnection.execute({
      message: { connectionId: 'c1', data: { kind: 'export.ready', url: '/exports/1' }, id: 'n-1' },
      messageId: 'm-1',
    });
    expect(outcome).toEqual({ ok: true, value: { result: 'delivered', notificationId: 'n-1' } });
    expect(core.pusher.framesOf('c1')).toEqual([
      '{"type":"notification","id":"n-1","data":{"kind":"export.ready","url":"/exports/1"}}',
    ]);
    expect(core.pusher.framesOf('c2')).toEqual([]);
  });

  it('uses the transport’s message id when the message has none', async () => {
    const core = await setup();
    const outcome = await core.notifyConnection.execute({
      message: { connectionId: 'c1', data: null },
      messageId: 'm-1',
    });
    expect(outcome.ok && outcome.value.notificationId).toBe('m-1');
    expect(core.pusher.framesOf('c1')).toEqual(['{"type":"notification","id":"m-1","data":null}']);
  });

  it('removes the record of a socket that is gone, and only it', async () => {
    const core = await setup();
    core.pusher.close('c1');
    const outcome = await core.notifyConnection.execute({
      message: { connectionId: 'c1', data: 1 },
      messageId: 'm',
    });
    expect(outcome).toEqual({ ok: true, value: { result: 'gone', notificationId: 'm' } });
    expect(core.repository.all().map((c) => c.connectionId)).toEqual(['c2', 'c3']);
  });

  it('reports an unknown socket as gone', async () => {
    const core = await setup();
    const outcome = await core.notifyConnection.execute({
      message: { connectionId: 'zz', data: 1 },
      messageId: 'm',
    });
    expect(outcome.ok && outcome.value.result).toBe('gone');
    expect(core.repository.size).toBe(3);
  });

  it('delivers a frame of exactly 131072 bytes', async () => {
    const core = await setup();
    const data = dataForFrameOf(MAX_PAYLOAD_BYTES, 'n');
    const outcome = await core.notifyConnection.execute({
      message: { connectionId: 'c1', data, id: 'n' },
      messageId: 'm',
    });
    expect(outcome.ok && outcome.value.result).toBe('delivered');
    expect(utf8ByteLength(core.pusher.framesOf('c1')[0]!)).toBe(MAX_PAYLOAD_BYTES);
  });

  it('refuses a frame of 131073 bytes with PAYLOAD_TOO_LARGE, sends nothing and keeps the record', async () => {
    const core = await setup();
    const data = dataForFrameOf(MAX_PAYLOAD_BYTES + 1, 'n');
    const outcome = await core.notifyConnection.execute({
      message: { connectionId: 'c1', data, id: 'n' },
      messageId: 'm',
    });
    expect(outcome).toEqual({
      ok: false,
      error: {
        code: 'PAYLOAD_TOO_LARGE',
        message: 'notification of 131073 bytes exceeds the limit of 131072 bytes',
      },
    });
    expect(core.pusher.framesOf('c1')).toEqual([]);
    expect(core.repository.size).toBe(3);
  });

  it('passes on a PAYLOAD_TOO_LARGE from a transport with a smaller limit', async () => {
    const core = await setup();
    const pusher: ConnectionPusher = {
      push: () => Promise.resolve(fail('PAYLOAD_TOO_LARGE', 'over 32 KiB')),
      disconnect: (id) => core.pusher.disconnect(id),
      info: (id) => core.pusher.info(id),
    };
    const outcome = await new NotifyConnection(pusher, core.repository, core.clock).execute({
      message: { connectionId: 'c1', data: 1 },
      messageId: 'm',
    });
    expect(outcome).toEqual({
      ok: false,
      error: { code: 'PAYLOAD_TOO_LARGE', message: 'the transport refused the notification as too large' },
    });
    expect(core.repository.size).toBe(3);
  });

  it('throws a transient fault so that the transport retries, keeping the record', async () => {
    const core = await setup();
    core.pusher.injectFault(() => new TransientError('429 Too Many Requests'));
    await expect(
      core.notifyConnection.execute({ message: { connectionId: 'c1', data: 1 }, messageId: 'm' }),
    ).rejects.toSatisfy((error) => error instanceof TransientError && error.code === 'TRANSIENT_FAILURE');
    expect(core.repository.size).toBe(3);
    expect(core.pusher.framesOf('c1')).toEqual([]);
  });
});
