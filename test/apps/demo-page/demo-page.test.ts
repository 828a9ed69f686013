// The demo page's rule for the bearer token (apps/local/src/demo/export-link.ts, bundled into the
// page): it goes only to the page's own export downloads. Showing each notification once, in
// order, is @pushline/client's job (test/client/), and the page in Chromium is
// test/e2e/browser.e2e.test.ts; the dev stack's bundling of the page is checked here.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exportPathOf } from '../../../apps/local/src/demo/export-link.js';
import { startHttpApi } from '../../../apps/local/src/dev/http-api.js';

const ORIGIN = 'http://127.0.0.1:3000';

describe('the demo page: where the token may go', () => {
  it.each(['/exports/abc', '/exports/a1b2-C3.d_e~f', '/exports/id%20with%20space'])(
    'follows its own export path %s',
    (url) => {
      expect(exportPathOf(url, ORIGIN)).toBe(url);
    },
  );

  it.each([
    ['another origin', 'https://evil.example/exports/abc'],
    ['a scheme-relative URL', '//evil.example/exports/abc'],
    ['the same host, absolute', 'http://127.0.0.1:3000/exports/abc'],
    ['credentials', 'http://user:pass@127.0.0.1:3000/exports/abc'],
    ['another path', '/token'],
    ['a path that climbs out', '/exports/../token'],
    ['an encoded climb', '/exports/%2e%2e/token'],
    ['a nested path', '/exports/abc/def'],
    ['a query', '/exports/abc?x=1'],
    ['a fragment', '/exports/abc#x'],
    ['a backslash', '/exports\\abc'],
    ['javascript:', 'javascript:alert(1)'],
    ['an empty string', ''],
    ['no string at all', 42],
  ])('refuses %s', (_name, url) => {
    expect(exportPathOf(url, ORIGIN)).toBeNull();
  });
});

describe('the demo page: bundled and served from memory', () => {
  it('serves the page script bundled with @pushline/client, and the static files beside it', async () => {
    const api = await startHttpApi({
      host: '127.0.0.1',
      port: 0,
      routes: [],
      staticDir: fileURLToPath(new URL('../../../apps/local/public', import.meta.url)),
      pageScripts: {
        '/app.js': fileURLToPath(new URL('../../../apps/local/src/demo/app.ts', import.meta.url)),
      },
    });
    try {
      const script = await fetch(`${api.url}/app.js`);
      expect(script.status).toBe(200);
      expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      const text = await script.text();
      // One self-contained module: the client is inside it, nothing is left to import.
      expect(text).toContain('the client was closed');
      expect(text).not.toMatch(/^\s*import\s/m);
      const page = await fetch(`${api.url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<script src="/app.js" type="module">');
      expect((await fetch(`${api.url}/app.ts`)).status).toBe(404);
    } finally {
      await api.close();
    }
  });
});
