// The standalone server's per-user stream, end to end on real sockets: `resume` after every
// reconnect recovers what was sent while the user had no socket, exactly once and in order;
// `requestId` is echoed; no argument reaches another user's stream; and a socket that stays
// open for a day (a moved clock) is still notified.
import { ManualClock } from '@pushline/adapters/memory';
import { loadConfig, type PushlineServer, startServer } from '@pushline/server';
import { afterEach, describe, expect, it } from 'vitest';
import { soakCount, soakTimeout } from '../support/soak.js';
import { eventually, TestClient } from '../../bench/support/ws-client.js';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';
const API_KEY = 'test-api-key-0123456789';
const DAY_MS = 24 * 60 * 60 * 1000;

const servers: PushlineServer[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(clock?: ManualClock): Promise<PushlineServer> {
  const config = loadConfig({ PUSHLINE_PORT: '0', PUSHLINE_TOKEN_SECRET: SECRET, PUSHLINE_API_KEY: API_KEY });
  const server = await startServer(
    { ...config, rateLimit: 0 },
    { logLevel: 'SILENT', ...(clock === undefined ? {} : { clock }) },
  );
  servers.push(server);
  return server;
}

async function tokenFor(server: PushlineServer, userId: string): Promise<string> {
  const response = await fetch(`${server.httpUrl}/token`, {
    method: 'POST',
    body: JSON.stringify({ userId }),
  });
  return ((await response.json()) as { token: string }).token;
}

async function connectAs(server: PushlineServer, userId: string): Promise<TestClient> {
  const client = await TestClient.connect(`${server.url}?token=${await tokenFor(server, userId)}`);
  clients.push(client);
  return client;
}

async function notify(server: PushlineServer, body: unknown): Promise<{ seq: number; epoch: string }> {
  const response = await fetch(`${server.httpUrl}/notify`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(202);
  return (await response.json()) as { seq: number; epoch: string };
}

interface Resumed {
  type: 'resumed';
  epoch: string;
  seq: number;
  recovered: boolean;
  reason?: string;
  notifications: { id: string; seq: number; data: unknown }[];
  requestId?: string;
}

describe('standalone server: resume', () => {
  it('recovers, after a reconnect, what was sent while the user had no socket, once and in order', async () => {
    const server = await start();
    const first = await connectAs(server, 'rita');
    const start0 = (await first.request({ action: 'resume', requestId: 'r-0' })) as unknown as Resumed;
    expect(start0).toEqual({
      type: 'resumed',
      epoch: start0.epoch,
      seq: 0,
      recovered: true,
      notifications: [],
      requestId: 'r-0',
    });
    await first.close();
    await eventually(() => server.connectionCount() === 0);
    for (const n of [1, 2, 3]) await notify(server, { userId: 'rita', id: `n-${n}`, data: { n } });
    // A redelivery of n-2 (the same id): stored once, under its first position.
    expect(await notify(server, { userId: 'rita', id: 'n-2', data: { n: 2 } })).toMatchObject({ seq: 2 });
    const second = await connectAs(server, 'rita');
    const resumed = await second.request({ action: 'resume', epoch: start0.epoch, seq: 0, requestId: 'r-1' });
    expect(resumed).toEqual({
      type: 'resumed',
      epoch: start0.epoch,
      seq: 3,
      recovered: true,
      notifications: [1, 2, 3].map((n) => ({ id: `n-${n}`, seq: n, data: { n } })),
      requestId: 'r-1',
    });
  });

  it('refuses an anonymous resume with UNAUTHORIZED and bad arguments with MALFORMED_FRAME, echoing requestId', async () => {
    const server = await start();
    const anonymous = await TestClient.connect(server.url);
    clients.push(anonymous);
    expect(await anonymous.request({ action: 'resume', requestId: 'a' })).toMatchObject({
      type: 'error',
      code: 'UNAUTHORIZED',
      requestId: 'a',
    });
    const client = await connectAs(server, 'sam');
    for (const [n, bad] of [
      { seq: 1 },
      { epoch: 'e' },
      { epoch: 'e', seq: -1 },
      { epoch: 'e', seq: 1.5 },
      { epoch: 7, seq: 1 },
      { epoch: 'e', seq: '1' },
    ].entries()) {
      expect(await client.request({ action: 'resume', ...bad, requestId: `b-${n}` })).toMatchObject({
        type: 'error',
        code: 'MALFORMED_FRAME',
        requestId: `b-${n}`,
      });
    }
    for (const requestId of ['', 'x'.repeat(65), 42, null]) {
      expect(await client.request({ action: 'ping', requestId })).toMatchObject({
        type: 'error',
        code: 'MALFORMED_FRAME',
      });
    }
    expect(await client.request({ action: 'ping', requestId: 'x'.repeat(64) })).toEqual({
      type: 'pong',
      requestId: 'x'.repeat(64),
    });
  });

  it("never answers with another user's notifications, whatever the position", async () => {
    const server = await start();
    const alice = await notify(server, { userId: 'alice', id: 'secret', data: 'for alice only' });
    const bob = await connectAs(server, 'bob');
    const resumed = (await bob.request({
      action: 'resume',
      epoch: alice.epoch,
      seq: 0,
    })) as unknown as Resumed;
    expect(resumed).toEqual({
      type: 'resumed',
      epoch: alice.epoch,
      seq: 0,
      recovered: true,
      notifications: [],
    });
    // A frame naming another user changes nothing: the stream is the sender's, from its socket.
    for (const field of ['userId', 'user', 'sub']) {
      expect(await bob.request({ action: 'resume', epoch: alice.epoch, seq: 0, [field]: 'alice' })).toEqual(
        resumed,
      );
    }
    expect(JSON.stringify(bob.parsed())).not.toContain('for alice only');
  });

  it('says STREAM_RESET for another epoch and TOO_MANY past the replay limit', async () => {
    const server = await start();
    const client = await connectAs(server, 'tom');
    const top = (await client.request({ action: 'resume' })) as unknown as Resumed;
    expect(await client.request({ action: 'resume', epoch: 'another', seq: 0 })).toEqual({
      type: 'resumed',
      epoch: top.epoch,
      seq: 0,
      recovered: false,
      reason: 'STREAM_RESET',
      notifications: [],
    });
    await client.close();
    for (let n = 1; n <= 101; n++) await notify(server, { userId: 'tom', id: `t-${n}`, data: n });
    const back = await connectAs(server, 'tom');
    expect(await back.request({ action: 'resume', epoch: top.epoch, seq: 0 })).toEqual({
      type: 'resumed',
      epoch: top.epoch,
      seq: 101,
      recovered: false,
      reason: 'TOO_MANY',
      notifications: [],
    });
    const within = (await back.request({ action: 'resume', epoch: top.epoch, seq: 1 })) as unknown as Resumed;
    expect(within.notifications.map((n) => n.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 2));
  });

  it('still notifies a socket that has been open for 24 hours (records live as long as their sockets)', async () => {
    const clock = new ManualClock(Date.now());
    const server = await start(clock);
    const client = await connectAs(server, 'uma');
    await client.request({ action: 'ping' });
    clock.advance(DAY_MS);
    await notify(server, { userId: 'uma', id: 'late', data: 'a day later' });
    await client.waitForFrames(2);
    expect(client.parsed()[1]).toMatchObject({
      type: 'notification',
      id: 'late',
      seq: 1,
      data: 'a day later',
    });
  });

  const CYCLES = soakCount(40, 1_000);
  it(
    `loses and duplicates nothing over ${CYCLES} disconnect/notify/reconnect/resume cycles`,
    async () => {
      const server = await start();
      const seen: number[] = [];
      let position: { epoch: string; seq: number } | null = null;
      let sent = 0;
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        const client = await connectAs(server, 'vic');
        const resumed = (await client.request(
          position === null ? { action: 'resume' } : { action: 'resume', ...position },
        )) as unknown as Resumed;
        expect(resumed.recovered).toBe(true);
        for (const notification of resumed.notifications) {
          if (position === null || notification.seq > position.seq) seen.push(notification.seq);
          position = { epoch: resumed.epoch, seq: notification.seq };
        }
        position = { epoch: resumed.epoch, seq: resumed.seq };
        // One live notification while connected, one while disconnected.
        sent += 1;
        await notify(server, { userId: 'vic', id: `live-${cycle}`, data: cycle });
        const frames = await client.waitForFrames(2);
        const live = JSON.parse(frames[1] ?? '{}') as { seq: number };
        if (live.seq > position.seq) {
          seen.push(live.seq);
          position = { epoch: resumed.epoch, seq: live.seq };
        }
        await client.close();
        await eventually(() => server.connectionCount() === 0);
        sent += 1;
        await notify(server, { userId: 'vic', id: `missed-${cycle}`, data: cycle });
      }
      const last = await connectAs(server, 'vic');
      const resumed = (await last.request({ action: 'resume', ...position })) as unknown as Resumed;
      seen.push(...resumed.notifications.map((n) => n.seq));
      expect(seen).toEqual(Array.from({ length: sent }, (_, i) => i + 1));
    },
    soakTimeout(60_000, 600_000),
  );
});
