// The demo page's two rules, as the browser runs them (plain modules from apps/local/public):
// the bearer token goes only to the page's own export downloads, and a notification is shown
// once, in order, with a resume for a gap.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

type Position = { epoch: string; seq: number } | null;
type Decision = { action: 'show'; position: Position } | { action: 'drop' } | { action: 'resume' };

const publicDir = fileURLToPath(new URL('../../../apps/local/public/', import.meta.url));
const { exportPathOf } = (await import(`${publicDir}export-link.js`)) as {
  exportPathOf: (url: unknown, origin: string) => string | null;
};
const { onNotification } = (await import(`${publicDir}stream-position.js`)) as {
  onNotification: (position: Position, frame: { seq?: number; epoch?: string }) => Decision;
};

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

describe('the demo page: showing notifications once, in order', () => {
  const at = { epoch: 'E', seq: 3 };

  it('shows the next seq and moves the position first', () => {
    expect(onNotification(at, { epoch: 'E', seq: 4 })).toEqual({
      action: 'show',
      position: { epoch: 'E', seq: 4 },
    });
  });

  it('drops a seq it has seen', () => {
    expect(onNotification(at, { epoch: 'E', seq: 3 })).toEqual({ action: 'drop' });
    expect(onNotification(at, { epoch: 'E', seq: 1 })).toEqual({ action: 'drop' });
  });

  it('resumes for a gap, another epoch, or a notification before any position', () => {
    expect(onNotification(at, { epoch: 'E', seq: 5 })).toEqual({ action: 'resume' });
    expect(onNotification(at, { epoch: 'F', seq: 4 })).toEqual({ action: 'resume' });
    expect(onNotification(null, { epoch: 'E', seq: 1 })).toEqual({ action: 'resume' });
  });

  it('shows a notification that has no stream position (addressed to one connection)', () => {
    expect(onNotification(at, {})).toEqual({ action: 'show', position: at });
  });
});
