// The token lifecycle end to end, on both transports: a socket is closed within 30 s of its
// token's `exp` (after every notification sent before it, and a `closing` frame), unless it
// re-authorized in time with a fresh token of the same user. Tokens here live a few seconds,
// so the real clock moves far enough (exp has a one-second grain).
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { JoseTokenIssuer } from '@pushline/adapters/jose';
import { type DevStack, startDevStack } from '@pushline/local/dev';
import { loadConfig, type PushlineServer, startServer } from '@pushline/server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { devConfigOnFreePorts } from '../../bench/support/dev-stack.js';
import { TestClient } from '../../bench/support/ws-client.js';

const SECRET = 'a-lifecycle-secret-that-is-long-enough-for-hs256';
const API_KEY = 'lifecycle-api-key-0123456789';
const CLOSING_TOKEN_EXPIRED = { type: 'closing', reason: 'TOKEN_EXPIRED', reconnect: 'new-token' };
const clients: TestClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

/** A token of `userId` that expires `seconds` from now. */
function tokenFor(userId: string, seconds: number): Promise<{ token: string; expiresAt: number }> {
  return new JoseTokenIssuer({ secret: SECRET, ttlSeconds: seconds }).issue(userId);
}

async function open(url: string): Promise<TestClient> {
  const client = await TestClient.connect(url);
  clients.push(client);
  return client;
}

const notificationsIn = (client: TestClient) =>
  client
    .parsed()
    .filter((frame) => frame.type === 'notification')
    .map((frame) => frame.data);

/** The scenarios, run against one transport. */
function describeLifecycle(
  name: string,
  transport: () => { wsUrl: string; notify: (userId: string, data: unknown[]) => Promise<void> },
  lifetimeSeconds: number,
) {
  describe(`token lifecycle on ${name}`, () => {
    it('delivers every notification up to the expiry, then a closing frame, and closes within 30 s of exp', async () => {
      const { wsUrl, notify } = transport();
      const { token, expiresAt } = await tokenFor('expiring', lifetimeSeconds);
      const client = await open(`${wsUrl}?token=${token}`);
      const sent = Array.from({ length: 100 }, (_, n) => n);
      await notify('expiring', sent);
      await client.waitForFrames(100, (lifetimeSeconds - 1) * 1000);
      const closed = await client.closed;
      const closedAt = Date.now();
      expect(notificationsIn(client).sort((a, b) => Number(a) - Number(b))).toEqual(sent);
      expect(client.parsed().at(-1)).toEqual(CLOSING_TOKEN_EXPIRED);
      expect(client.parsed().filter((frame) => frame.type === 'closing')).toHaveLength(1);
      expect(closedAt).toBeGreaterThanOrEqual(expiresAt - 1000);
      expect(closedAt).toBeLessThanOrEqual(expiresAt + 30_000);
      expect(closed.code).not.toBe(1006);
    }, 60_000);

    it('keeps a socket that re-authorizes with a fresh token of the same user, and it loses nothing', async () => {
      const { wsUrl, notify } = transport();
      const first = await tokenFor('renewing', lifetimeSeconds);
      const client = await open(`${wsUrl}?token=${first.token}`);
      await notify('renewing', [0, 1, 2, 3, 4]);
      await client.waitForFrames(5, 10_000);
      const fresh = await tokenFor('renewing', 120);
      expect(await client.request({ action: 'authorize', token: fresh.token })).toEqual({
        type: 'authorized',
        userId: 'renewing',
      });
      // Past the first token's expiry, and past the first check's time.
      await new Promise((resolve) => setTimeout(resolve, first.expiresAt - Date.now() + 3_000));
      await notify('renewing', [5, 6, 7, 8, 9]);
      await client.waitForFrames(11, 10_000);
      expect(notificationsIn(client).sort((a, b) => Number(a) - Number(b))).toEqual([
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
      ]);
      expect(client.parsed().some((frame) => frame.type === 'closing')).toBe(false);
      expect(await client.request({ action: 'ping', name: 'still here' })).toEqual({
        type: 'pong',
        name: 'still here',
      });
      expect(client.closeCode).toBeNull();
    }, 60_000);

    it('refuses another user’s token with UNAUTHORIZED and still closes at the first expiry', async () => {
      const { wsUrl } = transport();
      const { token } = await tokenFor('owner', 2);
      const client = await open(`${wsUrl}?token=${token}`);
      const other = await tokenFor('intruder', 120);
      expect(await client.request({ action: 'authorize', token: other.token })).toMatchObject({
        type: 'error',
        code: 'UNAUTHORIZED',
      });
      await client.closed;
      expect(client.parsed().at(-1)).toEqual(CLOSING_TOKEN_EXPIRED);
    }, 60_000);
  });
}

let server: PushlineServer;
let stack: DevStack;

beforeAll(async () => {
  const config = loadConfig({ PUSHLINE_PORT: '0', PUSHLINE_TOKEN_SECRET: SECRET, PUSHLINE_API_KEY: API_KEY });
  server = await startServer(config, { logLevel: 'SILENT' });
  stack = await startDevStack(devConfigOnFreePorts({ PUSHLINE_TOKEN_SECRET: SECRET }), {
    logLevel: 'SILENT',
    retryVisibilitySeconds: 0,
  });
}, 60_000);

afterAll(async () => {
  await server.close();
  await stack.close();
});

describeLifecycle(
  'the standalone server',
  () => ({
    wsUrl: server.url,
    notify: async (userId, data) => {
      for (const item of data) await server.notifyUser(userId, item);
    },
  }),
  3,
);

describeLifecycle(
  'the pnpm dev stack (API Gateway, Lambda handlers, SQS delayed checks)',
  () => ({
    wsUrl: stack.wsUrl,
    notify: async (userId, data) => {
      for (let start = 0; start < data.length; start += 10) {
        await stack.aws.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: stack.queues.NotifyUser.url,
            Entries: data.slice(start, start + 10).map((item, index) => ({
              Id: `n${start + index}`,
              MessageBody: JSON.stringify({ userId, data: item }),
            })),
          }),
        );
      }
    },
  }),
  // Each notification is appended to the user's stream in dynalite before it is pushed: on a
  // loaded 2-core machine 100 of them can take several seconds, all of which must land before exp.
  15,
);

describe('the standalone server closes on purpose with a closing frame first', () => {
  it('at the authorize deadline, on a rate limit, and when it stops', async () => {
    const config = loadConfig({
      PUSHLINE_PORT: '0',
      PUSHLINE_TOKEN_SECRET: SECRET,
      PUSHLINE_API_KEY: API_KEY,
      PUSHLINE_RATE_LIMIT: '1',
      PUSHLINE_RATE_BURST: '2',
    });
    const own = await startServer({ ...config, authorizeDeadlineMs: 300 }, { logLevel: 'SILENT' });
    try {
      const late = await open(own.url);
      await late.closed;
      expect(late.parsed().at(-1)).toEqual({
        type: 'closing',
        reason: 'AUTHORIZE_TIMEOUT',
        reconnect: 'new-token',
      });

      const { token } = await tokenFor('flooder', 60);
      const flooder = await open(`${own.url}?token=${token}`);
      for (let i = 0; i < 10; i++) flooder.send({ action: 'ping' });
      await flooder.closed;
      expect(flooder.parsed().at(-1)).toEqual({
        type: 'closing',
        reason: 'RATE_LIMITED',
        reconnect: 'later',
        afterMs: 2000,
      });

      const stayer = await open(`${own.url}?token=${(await tokenFor('stayer', 60)).token}`);
      await own.close();
      await stayer.closed;
      expect(stayer.parsed().at(-1)).toEqual({ type: 'closing', reason: 'SHUTDOWN', reconnect: 'later' });
      expect(stayer.closeCode).toBe(1001);
    } finally {
      await own.close().catch(() => undefined);
    }
  });
});
