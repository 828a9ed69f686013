import {
  AUTHORIZE_DEADLINE_CLOSE_CODE,
  loadConfig,
  type PushlineServer,
  RATE_LIMIT_CLOSE_CODE,
  startServer,
} from '@pushline/server';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLogs } from '../support/logs.js';
import { eventually, TestClient } from '../../bench/support/ws-client.js';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';
const API_KEY = 'test-api-key-0123456789';

const servers: PushlineServer[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(
  env: Record<string, string> = {},
  overrides: { authorizeDeadlineMs?: number; heartbeatMs?: number } = {},
): Promise<PushlineServer> {
  const config = loadConfig({
    PUSHLINE_PORT: '0',
    PUSHLINE_TOKEN_SECRET: SECRET,
    PUSHLINE_API_KEY: API_KEY,
    ...env,
  });
  const server = await startServer({ ...config, ...overrides }, { logLevel: 'SILENT' });
  servers.push(server);
  return server;
}

async function connect(url: string, options?: Parameters<typeof TestClient.connect>[1]): Promise<TestClient> {
  const client = await TestClient.connect(url, options);
  clients.push(client);
  return client;
}

async function tokenFor(server: PushlineServer, userId: string): Promise<string> {
  const response = await fetch(`${server.httpUrl}/token`, {
    method: 'POST',
    body: JSON.stringify({ userId }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { token: string };
  return body.token;
}

function notify(server: PushlineServer, body: unknown, apiKey = API_KEY): Promise<Response> {
  return fetch(`${server.httpUrl}/notify`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('standalone server: frames', () => {
  it('answers ping with pong, with and without a name', async () => {
    const server = await start();
    const client = await connect(server.url);
    expect(await client.request({ action: 'ping', name: 'Stepan' })).toEqual({
      type: 'pong',
      name: 'Stepan',
    });
    expect(await client.request({ action: 'ping' })).toEqual({ type: 'pong' });
  });

  it.each([
    ['not JSON', 'hello', 'MALFORMED_FRAME'],
    ['a JSON array', '[1,2]', 'MALFORMED_FRAME'],
    ['no action', '{"name":"x"}', 'MALFORMED_FRAME'],
    ['a non-string action', '{"action":42}', 'MALFORMED_FRAME'],
    ['an unknown action', '{"action":"nope"}', 'UNKNOWN_ACTION'],
    ['a wrongly typed ping name', '{"action":"ping","name":7}', 'MALFORMED_FRAME'],
    ['authorize without a token', '{"action":"authorize"}', 'MALFORMED_FRAME'],
    ['authorize with a bad token', '{"action":"authorize","token":"not-a-jwt"}', 'UNAUTHORIZED'],
  ])('answers %s with %s and keeps the socket usable', async (_what, frame, code) => {
    const server = await start();
    const client = await connect(server.url);
    const reply = await client.request(frame);
    expect(reply).toMatchObject({ type: 'error', code });
    expect(typeof reply.message).toBe('string');
    expect(await client.request({ action: 'ping', name: 'after' })).toEqual({ type: 'pong', name: 'after' });
  });

  it('names the unknown action in the error message', async () => {
    const server = await start();
    const client = await connect(server.url);
    expect(await client.request({ action: 'x' })).toEqual({
      type: 'error',
      code: 'UNKNOWN_ACTION',
      message: "action 'x' is not implemented",
    });
  });

  it('refuses a frame over 128 KiB with PAYLOAD_TOO_LARGE and keeps the socket open', async () => {
    const server = await start();
    const client = await connect(server.url);
    const frame = JSON.stringify({ action: 'ping', name: 'x'.repeat(131_072) });
    expect(await client.request(frame)).toMatchObject({ type: 'error', code: 'PAYLOAD_TOO_LARGE' });
    expect(await client.request({ action: 'ping' })).toEqual({ type: 'pong' });
  });

  it('answers a binary frame with MALFORMED_FRAME', async () => {
    const server = await start();
    const client = await connect(server.url);
    client.socket.send(Buffer.from('{"action":"ping"}'), { binary: true });
    const [frame] = await client.waitForFrames(1);
    expect(JSON.parse(frame!)).toMatchObject({ type: 'error', code: 'MALFORMED_FRAME' });
  });

  it('closes a socket that sends a message over 1 MiB with 1009', async () => {
    const server = await start();
    const client = await connect(server.url);
    client.send('x'.repeat(1024 * 1024 + 1));
    expect((await client.closed).code).toBe(1009);
  });

  it('answers a burst of good and bad frames one for one, in order', async () => {
    const server = await start();
    const client = await connect(server.url);
    const frames = [
      '{',
      '{"action":"ping","name":"1"}',
      '{"action":"nope"}',
      '{"action":"ping","name":"2"}',
      '"x"',
    ];
    for (const frame of frames) client.send(frame);
    await client.waitForFrames(frames.length);
    expect(client.parsed().map((frame) => (frame.type === 'error' ? frame.code : frame.name))).toEqual([
      'MALFORMED_FRAME',
      '1',
      'UNKNOWN_ACTION',
      '2',
      'MALFORMED_FRAME',
    ]);
  });
});

describe('standalone server: authentication', () => {
  it('accepts a valid ?token= at the handshake and notifies that user', async () => {
    const server = await start();
    const client = await connect(`${server.url}?token=${await tokenFor(server, 'alice')}`);
    const response = await notify(server, { userId: 'alice', data: { hello: 'world' } });
    expect(response.status).toBe(202);
    const [frame] = await client.waitForFrames(1);
    expect(JSON.parse(frame!)).toMatchObject({ type: 'notification', data: { hello: 'world' } });
  });

  it('refuses a bad token at the handshake with 401', async () => {
    const server = await start();
    expect(await TestClient.refusedStatus(`${server.url}?token=forged.token.value`)).toBe(401);
  });

  it('refuses a token signed with another secret with 401', async () => {
    const other = await start({ PUSHLINE_TOKEN_SECRET: 'another-secret-that-is-long-enough-for-hs256' });
    const server = await start();
    expect(await TestClient.refusedStatus(`${server.url}?token=${await tokenFor(other, 'alice')}`)).toBe(401);
  });

  it('refuses a socket without a token in auth mode connect with 401', async () => {
    const server = await start({ PUSHLINE_AUTH_MODE: 'connect' });
    expect(await TestClient.refusedStatus(server.url)).toBe(401);
  });

  it('refuses an upgrade on another path with 404', async () => {
    const server = await start();
    expect(await TestClient.refusedStatus(`${server.url}elsewhere`)).toBe(404);
  });

  it('authorizes in-band with the authorize action', async () => {
    const server = await start();
    const client = await connect(server.url);
    const token = await tokenFor(server, 'bob');
    expect(await client.request({ action: 'authorize', token })).toEqual({
      type: 'authorized',
      userId: 'bob',
    });
    expect((await notify(server, { userId: 'bob', data: 1 })).status).toBe(202);
    await client.waitForFrames(2);
    expect(client.parsed()[1]).toMatchObject({ type: 'notification', data: 1 });
  });

  it('never changes the user of an authorized connection', async () => {
    const server = await start();
    const client = await connect(`${server.url}?token=${await tokenFor(server, 'alice')}`);
    const reply = await client.request({ action: 'authorize', token: await tokenFor(server, 'mallory') });
    expect(reply).toMatchObject({ type: 'error', code: 'UNAUTHORIZED' });
    const response = await notify(server, { userId: 'mallory', data: 'secret' });
    expect(await response.json()).toMatchObject({ connections: 0 });
    expect(await client.request({ action: 'authorize', token: await tokenFor(server, 'alice') })).toEqual({
      type: 'authorized',
      userId: 'alice',
    });
  });

  it('closes an anonymous socket at the authorize deadline with 1008', async () => {
    const server = await start({}, { authorizeDeadlineMs: 200 });
    const client = await connect(server.url);
    const closed = await client.closed;
    expect(closed).toEqual({ code: AUTHORIZE_DEADLINE_CLOSE_CODE, reason: 'authorize deadline passed' });
    await eventually(() => server.connectionCount() === 0);
  });

  it('keeps a socket that authorized before the deadline', async () => {
    const server = await start({}, { authorizeDeadlineMs: 300 });
    const client = await connect(server.url);
    await client.request({ action: 'authorize', token: await tokenFor(server, 'carol') });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(client.closeCode).toBeNull();
    expect(await client.request({ action: 'ping' })).toEqual({ type: 'pong' });
  });

  it('drops a socket that stops answering heartbeats', async () => {
    const server = await start({}, { heartbeatMs: 100 });
    const silent = await connect(`${server.url}?token=${await tokenFor(server, 'dave')}`, {
      autoPong: false,
    });
    const healthy = await connect(`${server.url}?token=${await tokenFor(server, 'dave')}`);
    expect((await silent.closed).code).toBe(1006);
    expect(healthy.closeCode).toBeNull();
    await eventually(() => server.connectionCount() === 1);
  });
});

describe('standalone server: tokens in logged URLs', () => {
  it('logs the connect URL with its query values redacted, and never a token, at any level', async () => {
    const previous = process.env.POWERTOOLS_DEV;
    process.env.POWERTOOLS_DEV = 'true'; // Powertools then writes to `console`, where the test reads.
    const logs = captureLogs();
    try {
      const config = loadConfig({
        PUSHLINE_PORT: '0',
        PUSHLINE_TOKEN_SECRET: SECRET,
        PUSHLINE_API_KEY: API_KEY,
      });
      const server = await startServer(config, { logLevel: 'DEBUG' });
      servers.push(server);
      const good = await tokenFor(server, 'logged-user');
      const [header = '', payload = '', signature = ''] = good.split('.');
      const tampered = `${header}.${payload}.${signature.slice(0, -4)}AAAA`;
      const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
      const refused = [tampered, unsigned, 'not-a-jwt'];
      for (const token of refused) {
        expect(await TestClient.refusedStatus(`${server.url}?token=${token}&lang=en`)).toBe(401);
      }
      const client = await connect(`${server.url}?token=${good}&lang=en`);
      expect(await client.request({ action: 'authorize', token: tampered })).toMatchObject({
        code: 'UNAUTHORIZED',
      });
      expect(await client.request({ action: 'authorize', token: good })).toMatchObject({
        type: 'authorized',
      });
      await client.close();
      await eventually(
        () => logs.lines.some((line) => line.message === 'disconnect'),
        5000,
        'the disconnect line',
      );

      const connects = logs.lines.filter((line) => line.message === 'connect');
      expect(connects.map((line) => line.path)).toEqual([
        ...refused.map(() => '/?token=REDACTED&lang=REDACTED'),
        '/?token=REDACTED&lang=REDACTED',
      ]);
      const text = JSON.stringify(logs.lines);
      for (const token of [good, ...refused]) expect(text).not.toContain(token);
      for (const part of [header, payload, signature]) expect(text).not.toContain(part);
    } finally {
      logs.restore();
      if (previous === undefined) delete process.env.POWERTOOLS_DEV;
      else process.env.POWERTOOLS_DEV = previous;
    }
  });
});

describe('standalone server: notifications', () => {
  it('notifies every socket of a user with the same frame and nobody else', async () => {
    const server = await start();
    const alice = [
      await connect(`${server.url}?token=${await tokenFor(server, 'alice')}`),
      await connect(`${server.url}?token=${await tokenFor(server, 'alice')}`),
      await connect(server.url),
    ];
    await alice[2]!.request({ action: 'authorize', token: await tokenFor(server, 'alice') });
    const bob = await connect(`${server.url}?token=${await tokenFor(server, 'bob')}`);
    const anonymous = await connect(server.url);
    const response = await notify(server, { userId: 'alice', data: { kind: 'export.ready', n: [1, 2] } });
    expect(response.status).toBe(202);
    const body = (await response.json()) as {
      notificationId: string;
      connections: number;
      seq: number;
      epoch: string;
    };
    expect(body.connections).toBe(3);
    expect(body.seq).toBe(1);
    const expected = {
      type: 'notification',
      id: body.notificationId,
      seq: 1,
      epoch: body.epoch,
      data: { kind: 'export.ready', n: [1, 2] },
    };
    for (const client of alice) {
      await eventually(() => client.parsed().some((frame) => frame.type === 'notification'));
      expect(client.parsed().filter((frame) => frame.type === 'notification')).toEqual([expected]);
    }
    await bob.request({ action: 'ping' });
    await anonymous.request({ action: 'ping' });
    expect(bob.parsed()).toEqual([{ type: 'pong' }]);
    expect(anonymous.parsed()).toEqual([{ type: 'pong' }]);
  });

  it('uses the id given in the message as the notification id', async () => {
    const server = await start();
    const client = await connect(`${server.url}?token=${await tokenFor(server, 'erin')}`);
    await notify(server, { userId: 'erin', data: null, id: 'n-42' });
    await client.waitForFrames(1);
    expect(client.parsed()).toEqual([
      { type: 'notification', id: 'n-42', seq: 1, epoch: expect.any(String) as string, data: null },
    ]);
  });

  it('forgets a closed socket and still delivers to the others', async () => {
    const server = await start();
    const leaving = await connect(`${server.url}?token=${await tokenFor(server, 'frank')}`);
    const staying = await connect(`${server.url}?token=${await tokenFor(server, 'frank')}`);
    await leaving.close();
    await eventually(() => server.connectionCount() === 1);
    const response = await notify(server, { userId: 'frank', data: 'hi' });
    expect(await response.json()).toMatchObject({ connections: 1 });
    await staying.waitForFrames(1);
    expect(staying.parsed()[0]).toMatchObject({ data: 'hi' });
  });

  it('takes notifications from code in the same process', async () => {
    const server = await start();
    const client = await connect(`${server.url}?token=${await tokenFor(server, 'gina')}`);
    await server.notifyUser('gina', { from: 'code' });
    await client.waitForFrames(1);
    expect(client.parsed()[0]).toMatchObject({ type: 'notification', data: { from: 'code' } });
  });

  it.each([
    ['no API key', { userId: 'u', data: 1 }, 'wrong-key-0123456789', 401, 'UNAUTHORIZED'],
    ['a body that is not JSON', 'nope', API_KEY, 400, 'MALFORMED_QUEUE_MESSAGE'],
    ['a missing userId', { data: 1 }, API_KEY, 400, 'MALFORMED_QUEUE_MESSAGE'],
    ['a missing data', { userId: 'u' }, API_KEY, 400, 'MALFORMED_QUEUE_MESSAGE'],
    ['a numeric userId', { userId: 7, data: 1 }, API_KEY, 400, 'MALFORMED_QUEUE_MESSAGE'],
    [
      'data too large for a frame',
      { userId: 'u', data: 'x'.repeat(131_072) },
      API_KEY,
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    ['a body over 256 KiB', { userId: 'u', data: 'x'.repeat(300_000) }, API_KEY, 413, 'PAYLOAD_TOO_LARGE'],
  ])('refuses POST /notify with %s', async (_what, body, key, status, code) => {
    const server = await start();
    const response = await notify(server, body, key);
    expect(response.status).toBe(status);
    const payload = (await response.json()) as { error: { code: string; message: string } };
    expect(payload.error.code).toBe(code);
    expect(payload.error.message.length).toBeGreaterThan(0);
  });

  it('refuses POST /token with a bad user id, and serves it only in dev mode', async () => {
    const dev = await start();
    const bad = await fetch(`${dev.httpUrl}/token`, { method: 'POST', body: JSON.stringify({ userId: '' }) });
    expect(bad.status).toBe(400);
    const production = await start({ PUSHLINE_MODE: 'production' });
    const refused = await fetch(`${production.httpUrl}/token`, { method: 'POST', body: '{"userId":"x"}' });
    expect(refused.status).toBe(404);
  });

  it('reports health with the number of open sockets', async () => {
    const server = await start();
    await connect(server.url);
    const response = await fetch(`${server.httpUrl}/health`);
    expect(await response.json()).toEqual({ status: 'ok', connections: 1 });
  });
});

describe('standalone server: per-connection rate limit', () => {
  it('answers frames past the burst with RATE_LIMITED, in order, and serves the socket again once it slows down', async () => {
    const server = await start({ PUSHLINE_RATE_LIMIT: '2', PUSHLINE_RATE_BURST: '3' });
    const client = await connect(server.url);
    for (let i = 0; i < 5; i++) client.send({ action: 'ping', name: String(i) });
    await client.waitForFrames(5);
    expect(client.parsed().map((frame) => (frame.type === 'error' ? frame.code : frame.name))).toEqual([
      '0',
      '1',
      '2',
      'RATE_LIMITED',
      'RATE_LIMITED',
    ]);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await client.request({ action: 'ping', name: 'later' })).toEqual({ type: 'pong', name: 'later' });
    expect(client.closeCode).toBeNull();
  });

  it('closes a socket that keeps flooding past a whole burst with 1008', async () => {
    const server = await start({ PUSHLINE_RATE_LIMIT: '1', PUSHLINE_RATE_BURST: '2' });
    const client = await connect(server.url);
    for (let i = 0; i < 10; i++) client.send({ action: 'ping' });
    expect(await client.closed).toEqual({ code: RATE_LIMIT_CLOSE_CODE, reason: 'rate limit exceeded' });
  });

  it('has no limit when PUSHLINE_RATE_LIMIT is 0', async () => {
    const server = await start({ PUSHLINE_RATE_LIMIT: '0' });
    const client = await connect(server.url);
    for (let i = 0; i < 300; i++) client.send({ action: 'ping' });
    await client.waitForFrames(300);
    expect(client.parsed().every((frame) => frame.type === 'pong')).toBe(true);
  });
});
