// PushlineClient, the driver around the state machine, on a fake transport and a manual clock:
// options, states, ready(), request pairing, tokens, and what reaches the app.
import {
  type ClientState,
  type Notification,
  PushlineClient,
  type PushlineError,
  type Reset,
} from '@pushline/client';
import { describe, expect, it } from 'vitest';
import { FakeTransport, ManualClock, settle } from '../support/fake-transport.js';

function makeClient(options: Partial<ConstructorParameters<typeof PushlineClient>[0]> = {}) {
  const transport = new FakeTransport();
  const clock = new ManualClock();
  const client = new PushlineClient({
    url: 'wss://example.test/production',
    token: 'tok en',
    transport,
    clock,
    random: () => 0.5,
    ...options,
  });
  const states: ClientState[] = [];
  const notifications: Notification[] = [];
  const resets: Reset[] = [];
  const errors: PushlineError[] = [];
  client.on('state', (state) => states.push(state));
  client.on('notification', (notification) => notifications.push(notification));
  client.on('reset', (reset) => resets.push(reset));
  client.on('error', (error) => errors.push(error));
  return { client, transport, clock, states, notifications, resets, errors };
}

/** Opens the client's socket and answers its first resume with `top` (no position yet). */
async function connected(options: Partial<ConstructorParameters<typeof PushlineClient>[0]> = {}, top = 0) {
  const parts = makeClient(options);
  await settle();
  const socket = parts.transport.last;
  socket.open();
  socket.deliver({
    type: 'resumed',
    epoch: 'e1',
    seq: top,
    recovered: true,
    notifications: [],
    requestId: socket.last('resume')?.requestId,
  });
  return { ...parts, socket };
}

describe('PushlineClient options', () => {
  it('refuses a URL that is not ws:// or wss://, a missing token and a negative duration, with clear errors', () => {
    const transport = new FakeTransport();
    expect(() => new PushlineClient({ url: 'http://x', token: 't', transport })).toThrow(
      new TypeError('url must be a ws:// or wss:// URL'),
    );
    expect(() => new PushlineClient({ url: 'wss://x', token: '', transport })).toThrow(
      new TypeError('token must be a non-empty string or a function'),
    );
    expect(() => new PushlineClient({ url: 'wss://x', token: 't', transport, keepAliveMs: -1 })).toThrow(
      new RangeError('keepAliveMs must be a finite number ≥ 0'),
    );
    expect(
      () => new PushlineClient({ url: 'wss://x', token: 't', transport, maxConnectionMs: 60_000 }),
    ).toThrow(RangeError);
  });

  it('asks for a WebSocket on Node 20, where there is no global one', () => {
    expect(typeof (globalThis as { WebSocket?: unknown }).WebSocket).toBe('undefined');
    expect(() => new PushlineClient({ url: 'wss://x', token: 't' })).toThrow(
      new TypeError('no WebSocket here: pass the WebSocket option (on Node 20: ws)'),
    );
  });
});

describe('PushlineClient connecting', () => {
  it('puts the token in the URL, reports connecting and open, resumes with no position, and is ready only once the resume reply placed it', async () => {
    const { client, transport, states } = makeClient();
    expect(transport.sockets).toEqual([]);
    await settle();
    const socket = transport.last;
    expect(socket.url).toBe('wss://example.test/production?token=tok%20en');
    expect(states).toEqual(['connecting']);
    let ready = false;
    void client.ready().then(() => (ready = true));
    socket.open();
    expect(socket.sent).toEqual([{ action: 'resume', requestId: expect.any(String) as string }]);
    await settle();
    // Authorized, but not placed: a notification the app sent now could be inside the baseline.
    expect(states).toEqual(['connecting', 'open']);
    expect(ready).toBe(false);
    expect(client.position).toBeUndefined();
    socket.deliver({
      type: 'resumed',
      epoch: 'e1',
      seq: 4,
      recovered: true,
      requestId: socket.sent[0]!.requestId,
    });
    expect(states).toEqual(['connecting', 'open', 'ready']);
    await expect(client.ready()).resolves.toBeUndefined();
    expect(ready).toBe(true);
    expect(client.position).toEqual({ epoch: 'e1', seq: 4 });
    client.close();
    expect(states.at(-1)).toBe('closed');
    expect(socket.closedByClient).toBe(true);
  });

  it('authorizes in band when asked to, then resumes; a refused fixed token stops the client with UNAUTHORIZED', async () => {
    const { client, transport, states, errors } = makeClient({ authorizeAt: 'in-band' });
    const ready = client.ready();
    await settle();
    const socket = transport.last;
    expect(socket.url).toBe('wss://example.test/production');
    socket.open();
    expect(socket.sent).toEqual([
      { action: 'authorize', token: 'tok en', requestId: expect.any(String) as string },
    ]);
    socket.deliver({
      type: 'error',
      code: 'UNAUTHORIZED',
      message: 'the token has expired',
      requestId: socket.sent[0]!.requestId,
    });
    await expect(ready).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(errors.map((error) => error.code)).toEqual(['UNAUTHORIZED']);
    expect(states.at(-1)).toBe('closed');
    expect(transport.sockets).toHaveLength(1);
    await expect(client.request({ action: 'ping' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('asks token() again after a refusal instead of retrying the refused token, and stops after maxAuthFailures', async () => {
    let calls = 0;
    const { client, transport, clock, errors } = makeClient({
      authorizeAt: 'in-band',
      token: () => `t${++calls}`,
      maxAuthFailures: 2,
    });
    await settle();
    transport.last.open();
    expect(transport.last.last('authorize')?.token).toBe('t1');
    transport.last.deliver({
      type: 'error',
      code: 'UNAUTHORIZED',
      message: 'no',
      requestId: transport.last.last('authorize')?.requestId,
    });
    clock.advance(5_000);
    await settle();
    expect(calls).toBe(2);
    transport.last.open();
    expect(transport.last.last('authorize')?.token).toBe('t2');
    transport.last.deliver({
      type: 'error',
      code: 'UNAUTHORIZED',
      message: 'no',
      requestId: transport.last.last('authorize')?.requestId,
    });
    expect(client.state).toBe('closed');
    expect(errors.map((error) => error.code)).toEqual(['UNAUTHORIZED']);
  });

  it('stops with TOKEN_FAILED when token() keeps rejecting', async () => {
    const { client, clock, errors } = makeClient({
      token: () => Promise.reject(new Error('logged out')),
      maxAuthFailures: 2,
    });
    await settle();
    clock.advance(10_000);
    await settle();
    expect(client.state).toBe('closed');
    expect(errors.map((error) => error.code)).toEqual(['TOKEN_FAILED']);
  });

  it('reconnects after a close with a jittered delay, resuming from the last position handed to the app', async () => {
    const { transport, clock, states, notifications, socket } = await connected({}, 4);
    socket.deliver({ type: 'notification', id: 'n5', seq: 5, epoch: 'e1', data: { a: 1 } });
    socket.close();
    expect(states.at(-1)).toBe('reconnecting');
    clock.advance(2_499);
    expect(transport.sockets).toHaveLength(1);
    clock.advance(1);
    expect(transport.sockets).toHaveLength(2);
    transport.last.open();
    expect(transport.last.last('resume')).toMatchObject({ action: 'resume', epoch: 'e1', seq: 5 });
    expect(notifications).toEqual([{ id: 'n5', seq: 5, epoch: 'e1', data: { a: 1 } }]);
  });
});

describe('PushlineClient notifications', () => {
  it('merges a resume reply with live frames by seq, drops duplicates, and resumes again after a gap', async () => {
    const { transport, clock, notifications, socket } = await connected({}, 2);
    socket.close();
    clock.advance(2_500);
    const second = transport.last;
    expect(transport.sockets).toHaveLength(2);
    second.open();
    // Live frames arrive while the resume is in flight: buffered, merged, deduplicated.
    second.deliver({ type: 'notification', id: 'n4', seq: 4, epoch: 'e1', data: 4 });
    second.deliver({ type: 'notification', id: 'n5', seq: 5, epoch: 'e1', data: 5 });
    second.deliver({
      type: 'resumed',
      epoch: 'e1',
      seq: 4,
      recovered: true,
      notifications: [
        { id: 'n3', seq: 3, data: 3 },
        { id: 'n4', seq: 4, data: 4 },
      ],
      requestId: second.last('resume')?.requestId,
    });
    expect(notifications.map((n) => n.seq)).toEqual([3, 4, 5]);
    // Only what the reply alone brought is marked recovered: n4 came live too.
    expect(notifications.map((n) => n.recovered)).toEqual([true, undefined, undefined]);
    second.deliver({ type: 'notification', id: 'n5', seq: 5, epoch: 'e1', data: 5 });
    second.deliver({ type: 'notification', id: 'n7', seq: 7, epoch: 'e1', data: 7 });
    expect(notifications.map((n) => n.seq)).toEqual([3, 4, 5]);
    const resumes = second.sent.filter((frame) => frame.action === 'resume').length;
    clock.advance(1_000);
    expect(second.sent.filter((frame) => frame.action === 'resume')).toHaveLength(resumes + 1);
    expect(second.last('resume')).toMatchObject({ epoch: 'e1', seq: 5 });
    second.deliver({
      type: 'resumed',
      epoch: 'e1',
      seq: 7,
      recovered: true,
      notifications: [
        { id: 'n6', seq: 6, data: 6 },
        { id: 'n7', seq: 7, data: 7 },
      ],
    });
    expect(notifications.map((n) => n.seq)).toEqual([3, 4, 5, 6, 7]);
  });

  it('emits reset when the server cannot recover, and goes on from the new top', async () => {
    const { resets, notifications, socket } = await connected({}, 1);
    socket.deliver({ type: 'notification', id: 'x', seq: 1, epoch: 'e2', data: null });
    expect(socket.last('resume')).toMatchObject({ epoch: 'e1', seq: 1 });
    socket.deliver({
      type: 'resumed',
      epoch: 'e2',
      seq: 1,
      recovered: false,
      reason: 'STREAM_RESET',
      notifications: [],
    });
    expect(resets).toEqual([{ reason: 'STREAM_RESET', epoch: 'e2', seq: 1 }]);
    socket.deliver({ type: 'notification', id: 'y', seq: 2, epoch: 'e2', data: null });
    expect(notifications.map((n) => `${n.epoch}/${n.seq}`)).toEqual(['e2/2']);
  });

  it('drops a late notification of a stream that was reset instead of resuming for it again and again', async () => {
    const { resets, socket } = await connected({}, 1);
    socket.deliver({ type: 'notification', id: 'x', seq: 1, epoch: 'e2', data: null });
    // A duplicate of the old stream arrives while the resume is in flight.
    socket.deliver({ type: 'notification', id: 'old', seq: 1, epoch: 'e1', data: null });
    socket.deliver({
      type: 'resumed',
      epoch: 'e2',
      seq: 1,
      recovered: false,
      reason: 'STREAM_RESET',
      notifications: [],
    });
    expect(resets).toHaveLength(1);
    socket.deliver({ type: 'notification', id: 'old', seq: 1, epoch: 'e1', data: null });
    const resumes = socket.sent.filter((frame) => frame.action === 'resume').length;
    socket.deliver({
      type: 'resumed',
      epoch: 'e2',
      seq: 1,
      recovered: true,
      notifications: [],
      requestId: socket.last('resume')?.requestId,
    });
    expect(socket.sent.filter((frame) => frame.action === 'resume')).toHaveLength(resumes);
  });

  it('hands a notification addressed to the connection (no seq) straight to the app', async () => {
    const { notifications, socket } = await connected();
    socket.deliver({ type: 'notification', id: 'c1', data: 'hi' });
    expect(notifications).toEqual([{ id: 'c1', data: 'hi' }]);
  });

  it('keeps calling the other listeners when one throws', async () => {
    const { client, notifications, socket } = await connected();
    const thrown: unknown[] = [];
    const onError = (error: unknown) => thrown.push(error);
    process.on('uncaughtException', onError);
    try {
      client.on('notification', () => {
        throw new Error('app bug');
      });
      const later: Notification[] = [];
      client.on('notification', (n) => later.push(n));
      socket.deliver({ type: 'notification', id: 'c1', data: 1 });
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(notifications).toHaveLength(1);
      expect(later).toHaveLength(1);
      expect(thrown).toEqual([new Error('app bug')]);
    } finally {
      process.off('uncaughtException', onError);
    }
  });
});

describe("PushlineClient and the server's closing advice", () => {
  it('opens the replacement at once on reconnect "now" and closes the old socket only once the new one has resumed', async () => {
    const { transport, states, socket } = await connected({}, 0);
    socket.deliver({ type: 'closing', reason: 'SESSION_MAX', reconnect: 'now' });
    expect(transport.sockets).toHaveLength(2);
    const next = transport.last;
    next.open();
    expect(socket.closedByClient).toBe(false);
    next.deliver({
      type: 'resumed',
      epoch: 'e1',
      seq: 0,
      recovered: true,
      notifications: [],
      requestId: next.last('resume')?.requestId,
    });
    expect(socket.closedByClient).toBe(true);
    expect(states.filter((state) => state === 'reconnecting')).toEqual([]);
  });

  it('waits afterMs plus jitter after the close on reconnect "later"', async () => {
    const { transport, clock, socket } = await connected({}, 0);
    socket.deliver({ type: 'closing', reason: 'RATE_LIMITED', reconnect: 'later', afterMs: 10_000 });
    socket.close();
    clock.advance(12_499);
    expect(transport.sockets).toHaveLength(1);
    clock.advance(1);
    expect(transport.sockets).toHaveLength(2);
  });

  it('asks token() for a new token on "new-token", and stops with TOKEN_EXPIRED when the token is a fixed string', async () => {
    let calls = 0;
    const renewable = await connected({ token: () => `t${++calls}` }, 0);
    expect(calls).toBe(1);
    renewable.socket.deliver({ type: 'closing', reason: 'TOKEN_EXPIRED', reconnect: 'new-token' });
    await settle();
    expect(calls).toBe(2);
    expect(renewable.transport.last.url).toContain('token=t2');

    const fixed = await connected({}, 0);
    fixed.socket.deliver({ type: 'closing', reason: 'TOKEN_EXPIRED', reconnect: 'new-token' });
    expect(fixed.client.state).toBe('closed');
    expect(fixed.errors.map((error) => error.code)).toEqual(['TOKEN_EXPIRED']);
  });
});

describe('PushlineClient position (a page reload picks up where it left off)', () => {
  it('refuses a position that is not { epoch: string, seq: integer ≥ 0 }', () => {
    const transport = new FakeTransport();
    for (const position of [{ epoch: 1, seq: 0 }, { epoch: 'e', seq: -1 }, { epoch: 'e', seq: 1.5 }, null])
      expect(
        () =>
          new PushlineClient({
            url: 'wss://x',
            token: 't',
            transport,
            position: position as unknown as { epoch: string; seq: number },
          }),
      ).toThrow(new TypeError('position must be { epoch: string, seq: integer ≥ 0 }'));
  });

  it('resumes from a saved position, hands over what came after it, and reports the position it reached', async () => {
    const { client, transport, notifications } = makeClient({ position: { epoch: 'e1', seq: 4 } });
    expect(client.position).toEqual({ epoch: 'e1', seq: 4 });
    await settle();
    const socket = transport.last;
    socket.open();
    const resume = socket.last('resume');
    expect(resume).toMatchObject({ action: 'resume', epoch: 'e1', seq: 4 });
    socket.deliver({
      type: 'resumed',
      epoch: 'e1',
      seq: 6,
      recovered: true,
      notifications: [
        { id: 'a', seq: 5, data: 'five' },
        { id: 'b', seq: 6, data: 'six' },
      ],
      requestId: resume?.requestId,
    });
    await settle();
    expect(notifications.map((n) => [n.seq, n.data, n.recovered])).toEqual([
      [5, 'five', true],
      [6, 'six', true],
    ]);
    expect(client.position).toEqual({ epoch: 'e1', seq: 6 });
    socket.deliver({ type: 'notification', id: 'c', seq: 7, epoch: 'e1', data: 'seven' });
    await settle();
    expect(client.position).toEqual({ epoch: 'e1', seq: 7 });
    client.close();
  });

  it('has no position before the first resume reply when none was given', async () => {
    const { client } = makeClient();
    expect(client.position).toBeUndefined();
    const { client: other } = await connected({}, 3);
    await settle();
    expect(other.position).toEqual({ epoch: 'e1', seq: 3 });
    client.close();
    other.close();
  });
});

describe('PushlineClient.request', () => {
  it('pairs replies by requestId, rejects on error frames and on timeout, and rejects a bad frame', async () => {
    const { client, socket, clock } = await connected();
    const pong = client.request({ action: 'ping', name: 'x' });
    const unknown = client.request({ action: 'nope' });
    const slow = client.request({ action: 'ping' }, { timeoutMs: 500 });
    const [ping, nope] = socket.sent.slice(-3);
    expect(ping).toEqual({ action: 'ping', name: 'x', requestId: expect.any(String) as string });
    socket.deliver({
      type: 'error',
      code: 'UNKNOWN_ACTION',
      message: "action 'nope' is not implemented",
      requestId: nope!.requestId,
    });
    socket.deliver({ type: 'pong', name: 'x', requestId: ping!.requestId });
    await expect(pong).resolves.toEqual({ type: 'pong', name: 'x', requestId: ping!.requestId });
    await expect(unknown).rejects.toMatchObject({
      code: 'UNKNOWN_ACTION',
      message: "action 'nope' is not implemented",
    });
    clock.advance(500);
    await expect(slow).rejects.toMatchObject({ code: 'TIMEOUT' });
    await expect(client.request('ping' as never)).rejects.toThrow(TypeError);
  });

  it('waits for an authorized socket, fails requests in flight with DISCONNECTED when the socket closes, and CLOSED on close()', async () => {
    const { client, transport } = makeClient({ authorizeAt: 'in-band' });
    const early = client.request({ action: 'ping' });
    await settle();
    const socket = transport.last;
    socket.open();
    expect(socket.sent.map((frame) => frame.action)).toEqual(['authorize']);
    socket.deliver({ type: 'authorized', userId: 'u1', requestId: socket.sent[0]!.requestId });
    expect(socket.sent.map((frame) => frame.action)).toEqual(['authorize', 'resume']);
    socket.deliver({
      type: 'resumed',
      epoch: 'e1',
      seq: 0,
      recovered: true,
      requestId: socket.sent[1]!.requestId,
    });
    expect(socket.sent.map((frame) => frame.action)).toEqual(['authorize', 'resume', 'ping']);
    socket.close();
    await expect(early).rejects.toMatchObject({ code: 'DISCONNECTED' });
    const pending = client.request({ action: 'ping' });
    client.close();
    await expect(pending).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(client.ready()).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
