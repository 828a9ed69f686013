import { type DevStack, startDevStack } from '@pushline/local/dev';
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { devConfigOnFreePorts } from '../support/dev-stack.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let stack: DevStack;
let browser: Browser;

beforeAll(async () => {
  stack = await startDevStack(devConfigOnFreePorts(), {
    logLevel: 'SILENT',
  });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  // Playwright gives each launch a fresh, temporary profile and removes it on close.
  await browser.close();
  await stack.close();
});

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
      await page.waitForSelector('#state[data-state="open"]');
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

  it('reconnects with backoff after the socket is dropped', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      await page.goto(`${stack.httpUrl}/`);
      await page.fill('#user-id', 'browser-reconnect');
      await page.click('#connect');
      await page.waitForSelector('#state[data-state="open"]');
      const [connectionId] = stack.gateway.connectionIds();
      expect(connectionId).toBeDefined();
      await fetch(`${stack.managementEndpoint}/@connections/${encodeURIComponent(connectionId!)}`, {
        method: 'DELETE',
      });
      await page.waitForSelector('#frames li.note >> text=reconnecting');
      await page.waitForSelector('#state[data-state="open"]');
      await page.click('#ping');
      await page.waitForSelector('#frames li.in >> text=pong');
    } finally {
      await context.close();
    }
  });
});
