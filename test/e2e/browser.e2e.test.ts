import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { type DevStack, startDevStack } from '@pushline/local/dev';
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { type BatchReport, notifyUserRuns } from '../support/dev-stack-helpers.js';
import { devConfigOnFreePorts } from '../../bench/support/dev-stack.js';
import { eventually } from '../../bench/support/ws-client.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let stack: DevStack;
let browser: Browser;
const batches: BatchReport[] = [];

beforeAll(async () => {
  stack = await startDevStack(devConfigOnFreePorts(), {
    logLevel: 'SILENT',
    onBatch: (report) => batches.push(report),
  });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  // Playwright gives each launch a fresh, temporary profile and removes it on close.
  await browser.close();
  await stack.close();
});

/** A NotifyUser message with a stable id, as every producer sends. */
async function notify(userId: string, id: string): Promise<void> {
  await stack.aws.sqs.send(
    new SendMessageCommand({
      QueueUrl: stack.queues.NotifyUser.url,
      MessageBody: JSON.stringify({ userId, id, data: { note: id } }),
    }),
  );
}

describe('the demo page in Chromium', () => {
  it.each([
    ['with ?token=', false],
    ['authorizing in-band', true],
  ])('signs in %s, starts an export, is notified and downloads it', async (_how, inBand) => {
    const context = await browser.newContext({ acceptDownloads: true });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      await page.goto(`${stack.httpUrl}/`);
      await page.fill('#user-id', inBand ? 'browser-in-band' : 'browser-user');
      if (inBand) await page.check('#in-band');
      await page.click('#connect');
      await page.waitForSelector('#state[data-state="ready"]');
      await page.click('#ping');
      await page.waitForSelector('#frames li.in >> text=pong');
      await page.click('#export');
      const link = page.locator('#downloads a');
      await link.waitFor();
      const exportId = await link.getAttribute('data-export-id');
      expect(exportId).toBeTruthy();
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      const path = await download.path();
      const content = JSON.parse(await readFile(path, 'utf8')) as { exportId: string; userId: string };
      expect(content).toMatchObject({ exportId, userId: inBand ? 'browser-in-band' : 'browser-user' });
      const frames = await page.locator('#frames li.in').allTextContents();
      expect(frames.some((frame) => frame.includes('"export.ready"'))).toBe(true);
    } finally {
      await context.close();
    }
  });

  it('shows what was sent while its socket was closed (by @connections DELETE) once each, in order, after resuming', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      await page.goto(`${stack.httpUrl}/`);
      await page.fill('#user-id', 'browser-resume');
      await page.click('#connect');
      await page.waitForSelector('#state[data-state="ready"]');
      await page.waitForSelector('#frames li.in:has-text("resumed")');
      await notify('browser-resume', 'live-1');
      await page.waitForSelector('#notifications li[data-id="live-1"]');
      // Offline, so the client cannot come back before the missed ones are stored; then the
      // socket is closed as API Gateway's idle timeout would: from the server side.
      await context.setOffline(true);
      const [connectionId] = stack.gateway.connectionIds();
      await fetch(`${stack.managementEndpoint}/@connections/${encodeURIComponent(connectionId!)}`, {
        method: 'DELETE',
      });
      await page.waitForSelector('#state[data-state="reconnecting"]');
      // Sent while the page has no socket: its record is gone, only the stream has them.
      await eventually(() => stack.gateway.connectionIds().length === 0, 5_000, 'the socket to close');
      const before = notifyUserRuns(batches);
      for (const id of ['missed-1', 'missed-2', 'missed-3']) await notify('browser-resume', id);
      await eventually(() => notifyUserRuns(batches) >= before + 3, 10_000, 'the missed ones to be stored');
      // Back online: the client retries at once (the online event) and resumes.
      await context.setOffline(false);
      await page.waitForSelector('#notifications li[data-id="missed-3"]');
      await notify('browser-resume', 'live-2');
      await page.waitForSelector('#notifications li[data-id="live-2"]');
      // Each item reads "<seq> <id> <data>".
      const shown = (await page.locator('#notifications li').allTextContents()).map((text) => {
        const [seq, id] = text.split(' ');
        return [id, Number(seq)];
      });
      // In seq order, each once. A standard queue may hand the three missed ones to NotifyUser
      // in any order, so their positions (not their ids) are what orders them.
      expect(shown.map(([, seq]) => seq)).toEqual([1, 2, 3, 4, 5]);
      expect(shown[0]?.[0]).toBe('live-1');
      expect(shown[4]?.[0]).toBe('live-2');
      expect(
        shown
          .slice(1, 4)
          .map(([id]) => id)
          .sort(),
      ).toEqual(['missed-1', 'missed-2', 'missed-3']);
      // The three sent while there was no socket came in the resume reply, and say so.
      const recovered = await page
        .locator('#notifications li[data-recovered="true"]')
        .evaluateAll((items) =>
          items.map((item) => (item as { dataset: Record<string, string> }).dataset.id),
        );
      expect(recovered.sort()).toEqual(['missed-1', 'missed-2', 'missed-3']);
      expect(await page.locator('#notifications li .badge').count()).toBe(3);
    } finally {
      await context.close();
    }
  });

  it('after a reload, shows only what it had not shown, including what was sent while the page was gone', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      const signIn = async (): Promise<void> => {
        await page.fill('#user-id', 'browser-reload');
        await page.click('#connect');
        await page.waitForSelector('#state[data-state="ready"]');
      };
      await page.goto(`${stack.httpUrl}/`);
      await signIn();
      await page.waitForSelector('#frames li.in:has-text("resumed")');
      await notify('browser-reload', 'before-1');
      await notify('browser-reload', 'before-2');
      await page.waitForSelector('#notifications li[data-seq="2"]');
      // The page goes away; one notification is sent while it is gone.
      await page.goto('about:blank');
      await eventually(() => stack.gateway.connectionIds().length === 0, 5_000, 'the socket to close');
      const before = notifyUserRuns(batches);
      await notify('browser-reload', 'while-gone');
      await eventually(() => notifyUserRuns(batches) > before, 10_000, 'the missed one to be stored');
      await page.goto(`${stack.httpUrl}/`);
      await signIn();
      await page.waitForSelector('#notifications li[data-id="while-gone"]');
      const shown = await page.locator('#notifications li').evaluateAll((items) =>
        items.map((item) => {
          const { id, seq, recovered } = (item as { dataset: Record<string, string> }).dataset;
          return [id, seq, recovered];
        }),
      );
      // The reloaded page resumed from the position the first one saved: seq 3 only, recovered.
      expect(shown).toEqual([['while-gone', '3', 'true']]);
    } finally {
      await context.close();
    }
  });

  it('never sends the token to a download link a notification points elsewhere', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      const leaked: string[] = [];
      page.on('request', (request) => {
        if (request.headers().authorization !== undefined) leaked.push(request.url());
      });
      await page.goto(`${stack.httpUrl}/`);
      await page.fill('#user-id', 'browser-phished');
      await page.click('#connect');
      await page.waitForSelector('#frames li.in:has-text("resumed")');
      await stack.aws.sqs.send(
        new SendMessageCommand({
          QueueUrl: stack.queues.NotifyUser.url,
          MessageBody: JSON.stringify({
            userId: 'browser-phished',
            id: 'phish',
            data: { kind: 'export.ready', exportId: 'x', url: 'https://attacker.example/exports/x' },
          }),
        }),
      );
      await page.waitForSelector('#frames li.note >> text=ignored a download link');
      expect(await page.locator('#downloads a').count()).toBe(0);
      expect(leaked.filter((url) => !url.startsWith(stack.httpUrl))).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('reconnects with backoff after the socket is dropped', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      await page.goto(`${stack.httpUrl}/`);
      await page.fill('#user-id', 'browser-reconnect');
      await page.click('#connect');
      await page.waitForSelector('#state[data-state="ready"]');
      const [connectionId] = stack.gateway.connectionIds();
      expect(connectionId).toBeDefined();
      await fetch(`${stack.managementEndpoint}/@connections/${encodeURIComponent(connectionId!)}`, {
        method: 'DELETE',
      });
      await page.waitForSelector('#frames li.note >> text=state: reconnecting');
      await page.waitForSelector('#state[data-state="ready"]');
      await page.click('#ping');
      await page.waitForSelector('#frames li.in >> text=pong');
      // Every state the client reported was shown, in order: the page follows its state events.
      const states = (await page.locator('#frames li.note').allTextContents()).filter((text) =>
        text.startsWith('state: '),
      );
      expect(states).toEqual([
        'state: connecting',
        'state: open',
        'state: ready',
        'state: reconnecting',
        'state: open',
        'state: ready',
      ]);
      expect(await page.textContent('#state')).toBe('ready');
    } finally {
      await context.close();
    }
  });
});
