// @pushline/client in a real browser (Chromium through playwright-core, issue 13), bundled for
// the browser by esbuild as an app would, against `pnpm dev`'s stack and the standalone server:
// the network taken offline with notifications sent meanwhile, sockets closed from the server
// side, and a short maximum connection duration forcing make-before-break. Every notification
// is shown exactly once, in order.
import { build } from 'esbuild';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { type ClientTarget, startDevTarget, startServerTarget } from '../support/client-targets.js';
import { eventually } from '../../bench/support/ws-client.js';

let browser: Browser;
let bundle: string;
// The page is served from 127.0.0.1 too: Chromium blocks an about:blank page from reaching
// 127.0.0.1 (local network access checks).
let pages: Server;
let pageUrl: string;
const targets: ClientTarget[] = [];
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  const result = await build({
    stdin: {
      contents:
        "import { PushlineClient } from '@pushline/client'; globalThis.PushlineClient = PushlineClient;",
      resolveDir: fileURLToPath(new URL('../..', import.meta.url)),
    },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    write: false,
  });
  bundle = result.outputFiles[0]!.text;
  pages = createServer((_request, response) => {
    response
      .writeHead(200, { 'content-type': 'text/html' })
      .end('<!doctype html><title>client</title><ul></ul>');
  });
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  pageUrl = `http://127.0.0.1:${(pages.address() as AddressInfo).port}/`;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser.close();
  await new Promise((resolve) => pages.close(resolve));
});

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()));
  await Promise.all(targets.splice(0).map((target) => target.close()));
});

interface Shown {
  seq: number | undefined;
  id: string;
  n: number;
}

/** A page running the client for `userId`; tokens come from the test (no CORS on the dev servers). */
async function openPage(
  target: ClientTarget,
  userId: string,
  options: Record<string, number> = {},
): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    console.log('PAGEERROR', error.message);
  });
  await page.exposeFunction('pushlineToken', () => target.token(userId));
  await page.goto(pageUrl);
  await page.addScriptTag({ content: bundle });
  await page.evaluate(
    ({ url, options }) => {
      const w = globalThis as unknown as {
        PushlineClient: new (options: unknown) => {
          on(event: string, listener: (value: unknown) => void): void;
          ready(): Promise<void>;
        };
        pushlineToken: () => Promise<string>;
        shown: unknown[];
        states: unknown[];
        client: unknown;
      };
      w.shown = [];
      w.states = [];
      const client = new w.PushlineClient({
        url,
        token: () => w.pushlineToken(),
        reconnectDelayMs: 300,
        maxReconnectDelayMs: 1_000,
        gapWaitMs: 200,
        ...options,
      });
      client.on('notification', (n) => {
        const { id, seq, data } = n as { id: string; seq?: number; data: { n: number } };
        w.shown.push({ id, seq, n: data.n });
        const doc = (
          globalThis as unknown as {
            document: {
              createElement(tag: string): { textContent: string };
              body: { append(node: unknown): void };
            };
          }
        ).document;
        const item = doc.createElement('li');
        item.textContent = `${String(seq)}: ${String(data.n)}`;
        doc.body.append(item);
      });
      client.on('state', (s) => w.states.push(s));
      w.client = client;
      return client.ready();
    },
    { url: target.wsUrl, options },
  );
  return page;
}

const shown = (page: Page) => page.evaluate(() => (globalThis as unknown as { shown: Shown[] }).shown);
const states = (page: Page) => page.evaluate(() => (globalThis as unknown as { states: string[] }).states);

async function expectShownExactly(page: Page, count: number): Promise<void> {
  try {
    await eventually(async () => (await shown(page)).length >= count, 20_000, `${count} notifications shown`);
  } catch (error) {
    // What the page got and went through, to tell a lost notification from a stalled client.
    const seqs = (await shown(page)).map((entry) => entry.seq).join(',');
    const went = (await states(page)).join(' → ');
    throw new Error(`${(error as Error).message}; shown seq ${seqs}; states ${went}`, { cause: error });
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  const all = await shown(page);
  expect(all.map((entry) => entry.seq)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
  expect(all.map((entry) => entry.n).sort((a, b) => a - b)).toEqual(
    Array.from({ length: count }, (_, i) => i + 1),
  );
  expect(await page.locator('li').count()).toBe(count);
}

const STARTERS: [string, () => Promise<ClientTarget>][] = [
  ['pnpm dev stack', () => startDevTarget()],
  ['standalone server', () => startServerTarget()],
];

describe.each(STARTERS)('@pushline/client in Chromium against the %s', (_name, start) => {
  it('shows every notification sent while the network was offline, once and in order', async () => {
    const target = await start();
    targets.push(target);
    const page = await openPage(target, 'browser-offline');
    for (let n = 1; n <= 3; n++) await target.notify('browser-offline', { n });
    await eventually(async () => (await shown(page)).length === 3, 10_000, 'the first 3');
    await page.context().setOffline(true);
    // Chromium's offline emulation may leave an open WebSocket alone: the proxy cuts it too.
    target.proxy.offline = true;
    target.proxy.cut();
    await eventually(async () => (await states(page)).at(-1) === 'reconnecting', 5_000, 'reconnecting');
    for (let n = 4; n <= 8; n++) await target.notify('browser-offline', { n });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    target.proxy.offline = false;
    await page.context().setOffline(false);
    for (let n = 9; n <= 10; n++) await target.notify('browser-offline', { n });
    await expectShownExactly(page, 10);
  });

  it('shows every notification across sockets closed from the server side', async () => {
    const target = await start();
    targets.push(target);
    const page = await openPage(target, 'browser-closed');
    for (let n = 1; n <= 2; n++) await target.notify('browser-closed', { n });
    await eventually(async () => (await shown(page)).length === 2, 10_000, 'the first 2');
    for (let round = 0; round < 2; round++) {
      const closed = await target.closeFromServer();
      if (!closed) target.proxy.cut();
      for (let n = 3 + round * 3; n <= 5 + round * 3; n++) await target.notify('browser-closed', { n });
      await eventually(async () => (await states(page)).at(-1) === 'ready', 10_000, 'ready again');
    }
    await expectShownExactly(page, 8);
  });
});

describe('@pushline/client in Chromium against the pnpm dev stack with a short maximum connection duration', () => {
  it('replaces its socket before each cap, make-before-break: every notification once, in order, never reconnecting', async () => {
    const maxConnectionMs = 3_000;
    const target = await startDevTarget({ maxConnectionMs });
    targets.push(target);
    const page = await openPage(target, 'browser-rotate', {
      maxConnectionMs,
      rotateLeadMs: 800,
      rotateWindowMs: 500,
      connectTimeoutMs: 1_000,
    });
    let most = 0;
    const count = 40;
    for (let n = 1; n <= count; n++) {
      await target.notify('browser-rotate', { n });
      most = Math.max(most, target.openSockets());
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await expectShownExactly(page, count);
    expect((await states(page)).filter((state) => state === 'reconnecting')).toEqual([]);
    expect(most).toBeLessThanOrEqual(2);
  }, 60_000);
});
