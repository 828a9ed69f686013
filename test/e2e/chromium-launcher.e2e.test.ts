import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium, launchChromium } from '../support/chromium.js';

let dir: string;
let fake: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pushline-chromium-'));
  fake = join(dir, 'chromium');
  await writeFile(fake, '#!/bin/sh\nexit 0\n');
  await chmod(fake, 0o755);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the browser the tests drive', () => {
  it('is the PUSHLINE_CHROMIUM path when one is given', async () => {
    await expect(findChromium({ PUSHLINE_CHROMIUM: fake, PATH: '' })).resolves.toEqual({
      executablePath: fake,
      source: 'PUSHLINE_CHROMIUM',
    });
  });

  it('refuses a PUSHLINE_CHROMIUM that is not an executable file', async () => {
    await expect(findChromium({ PUSHLINE_CHROMIUM: join(dir, 'missing'), PATH: dir })).rejects.toThrow(
      /PUSHLINE_CHROMIUM=.*missing is not an executable file/,
    );
  });

  it('is a chromium on PATH when there is no explicit path', async () => {
    await expect(findChromium({ PATH: `/nonexistent:${dir}` })).resolves.toEqual({
      executablePath: fake,
      source: 'system',
    });
  });

  it('is the Chromium shipped in the npm package when there is no other, and it runs a page', async () => {
    const found = await findChromium({ PATH: '/nonexistent' });
    expect(found.source).toBe('npm');
    expect(found.executablePath).toMatch(/node_modules\/\.cache\/pushline-chromium\/[\d.]+\/chromium$/);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.setContent(
        '<p id="x"></p><script>document.getElementById("x").textContent = typeof WebSocket</script>',
      );
      await expect(page.textContent('#x')).resolves.toBe('function');
    } finally {
      await browser.close();
    }
  }, 60_000);
});
