// @pushline/client on Node with `ws`, against the real servers (issue 13): `pnpm dev`'s stack and
// the standalone server, each behind a proxy the test can cut. Through a network drop with
// notifications sent meanwhile, sockets closed from the server side (@connections DELETE), and a
// short maximum connection duration forcing make-before-break, the app sees every notification
// exactly once, in order.
import { type ClientState, type Notification, PushlineClient } from '@pushline/client';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ClientTarget, startDevTarget, startServerTarget } from '../support/client-targets.js';
import { eventually } from '../../bench/support/ws-client.js';

const targets: ClientTarget[] = [];
const clients: PushlineClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(targets.splice(0).map((target) => target.close()));
});

/** A client of a fresh user, recording what the app sees. */
function watch(
  target: ClientTarget,
  userId: string,
  options: Partial<ConstructorParameters<typeof PushlineClient>[0]> = {},
) {
  const seen: Notification[] = [];
  const states: ClientState[] = [];
  const client = new PushlineClient({
    url: target.wsUrl,
    token: () => target.token(userId),
    WebSocket,
    // Short waits keep the test quick; the behaviour is the same as with the defaults.
    reconnectDelayMs: 300,
    maxReconnectDelayMs: 1_000,
    gapWaitMs: 200,
    ...options,
  });
  clients.push(client);
  client.on('notification', (n) => seen.push(n));
  client.on('state', (s) => states.push(s));
  return { client, seen, states };
}

/**
 * The app must see seqs 1..count, each once, in order, and every notification sent. (SQS reorders
 * the dev stack's NotifyUser messages, so `seq` follows the order they were stored in, not sent.)
 */
async function expectExactly(seen: Notification[], count: number): Promise<void> {
  await eventually(() => seen.length >= count, 20_000, `${count} notifications (have ${seen.length})`);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(seen.map((n) => n.seq)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
  const sent = seen.map((n) => (n.data as { n: number }).n).sort((a, b) => a - b);
  expect(sent).toEqual(Array.from({ length: count }, (_, i) => i + 1));
  expect(new Set(seen.map((n) => n.id)).size).toBe(count);
}

const STARTERS: [string, () => Promise<ClientTarget>][] = [
  ['pnpm dev stack', () => startDevTarget()],
  ['standalone server', () => startServerTarget()],
];

describe.each(STARTERS)('@pushline/client on Node against the %s', (_name, start) => {
  it('recovers every notification sent while the network was down, once and in order', async () => {
    const target = await start();
    targets.push(target);
    const { client, seen, states } = watch(target, 'node-drop');
    await client.ready();
    for (let n = 1; n <= 3; n++) await target.notify('node-drop', { n });
    await eventually(() => seen.length === 3, 10_000, 'the first 3');
    target.proxy.offline = true;
    target.proxy.cut();
    await eventually(() => states.at(-1) === 'reconnecting', 5_000, 'reconnecting');
    for (let n = 4; n <= 8; n++) await target.notify('node-drop', { n });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    target.proxy.offline = false;
    for (let n = 9; n <= 10; n++) await target.notify('node-drop', { n });
    await expectExactly(seen, 10);
    expect(states.at(-1)).toBe('ready');
  });

  it('resumes after the server closes its sockets, with notifications in between', async () => {
    const target = await start();
    targets.push(target);
    const { client, seen, states } = watch(target, 'node-close');
    await client.ready();
    for (let n = 1; n <= 2; n++) await target.notify('node-close', { n });
    await eventually(() => seen.length === 2, 10_000, 'the first 2');
    const closed = await target.closeFromServer();
    if (!closed) target.proxy.cut();
    await eventually(() => states.at(-1) === 'reconnecting', 5_000, 'reconnecting');
    for (let n = 3; n <= 6; n++) await target.notify('node-close', { n });
    await expectExactly(seen, 6);
    const pong = await client.request({ action: 'ping', name: 'after' });
    expect(pong).toMatchObject({ type: 'pong', name: 'after' });
  });
});

describe('@pushline/client on Node against the pnpm dev stack with a short maximum connection duration', () => {
  it('replaces its socket before each cap (make-before-break): nothing lost or doubled, never reconnecting, never more than two sockets', async () => {
    const maxConnectionMs = 3_000;
    const target = await startDevTarget({ maxConnectionMs });
    targets.push(target);
    const { client, seen, states } = watch(target, 'node-rotate', {
      maxConnectionMs,
      rotateLeadMs: 800,
      rotateWindowMs: 500,
      connectTimeoutMs: 1_000,
    });
    await client.ready();
    let most = 0;
    const count = 40;
    for (let n = 1; n <= count; n++) {
      await target.notify('node-rotate', { n });
      most = Math.max(most, target.openSockets());
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await expectExactly(seen, count);
    expect(states.filter((state) => state === 'reconnecting')).toEqual([]);
    expect(most).toBeLessThanOrEqual(2);
  }, 60_000);
});
