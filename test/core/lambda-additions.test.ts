import {
  InMemoryConnectionRepository,
  InMemoryDeadlineScheduler,
  InMemoryExportRepository,
  InMemoryMessageQueue,
  InMemoryTokenVerifier,
  ManualClock,
} from '@pushline/adapters/memory';
import {
  Connect,
  DEFAULT_EXPORT_TTL_MS,
  DownloadExport,
  parseDeadlineMessage,
  serializeDeadlineMessage,
  StartExport,
} from '@pushline/core';
import { describe, expect, it } from 'vitest';

const NOW = 1_000_000;

function connectWithScheduler(allowAnonymous: boolean) {
  const clock = new ManualClock(NOW);
  const repository = new InMemoryConnectionRepository();
  const verifier = new InMemoryTokenVerifier();
  const deadlines = new InMemoryDeadlineScheduler(clock);
  const connect = new Connect(
    repository,
    verifier,
    clock,
    { allowAnonymous, authorizeDeadlineMs: 5_000 },
    deadlines,
  );
  return { clock, repository, verifier, deadlines, connect };
}

describe('Connect with a DeadlineScheduler', () => {
  it('schedules the authorize deadline of an anonymous socket', async () => {
    const { connect, deadlines, clock } = connectWithScheduler(true);
    const outcome = await connect.execute({ connectionId: 'c1' });
    expect(outcome.ok && outcome.value.authorizeBy).toBe(NOW + 5_000);
    expect(deadlines.scheduled()).toEqual([{ connectionId: 'c1', at: NOW + 5_000 }]);
    expect(deadlines.due()).toEqual([]);
    clock.advance(5_000);
    expect(deadlines.due()).toEqual([{ connectionId: 'c1', at: NOW + 5_000 }]);
    expect(deadlines.scheduled()).toEqual([]);
  });

  it('schedules nothing for a socket that connected as a user, or was refused', async () => {
    const { connect, deadlines, verifier } = connectWithScheduler(false);
    await connect.execute({ connectionId: 'c1', userId: 'u1' });
    await connect.execute({ connectionId: 'c2', token: verifier.issue('u2') });
    await connect.execute({ connectionId: 'c3' });
    expect(deadlines.scheduled()).toEqual([]);
  });

  it('throws when the deadline cannot be scheduled, so the transport refuses the socket', async () => {
    const clock = new ManualClock(NOW);
    const connect = new Connect(
      new InMemoryConnectionRepository(),
      new InMemoryTokenVerifier(),
      clock,
      { allowAnonymous: true },
      { schedule: () => Promise.reject(new Error('queue down')) },
    );
    await expect(connect.execute({ connectionId: 'c1' })).rejects.toThrow('queue down');
  });
});

describe('deadline messages', () => {
  it('round-trips a deadline', () => {
    const deadline = { connectionId: 'f97yeeMZDoECGqg=', at: NOW };
    expect(parseDeadlineMessage(serializeDeadlineMessage(deadline))).toEqual({ ok: true, value: deadline });
  });

  it.each([
    ['not JSON', 'nope'],
    ['an array', '[]'],
    ['no connection id', '{"at":1}'],
    ['a connection id with a control character', '{"connectionId":"a\\u0001","at":1}'],
    ['no time', '{"connectionId":"c1"}'],
    ['a string time', '{"connectionId":"c1","at":"1"}'],
  ])('refuses %s with MALFORMED_QUEUE_MESSAGE', (_, body) => {
    const parsed = parseDeadlineMessage(body);
    expect(parsed.ok ? null : parsed.error.code).toBe('MALFORMED_QUEUE_MESSAGE');
  });
});

describe('StartExport and DownloadExport', () => {
  function exportsFixture() {
    const clock = new ManualClock(NOW);
    const exports = new InMemoryExportRepository();
    const queue = new InMemoryMessageQueue();
    return {
      clock,
      queue,
      start: new StartExport(exports, queue, clock),
      download: new DownloadExport(exports, clock),
    };
  }

  it('stores the export and notifies its owner that it is ready', async () => {
    const { start, queue } = exportsFixture();
    const outcome = await start.execute({ userId: 'u1', exportId: 'e-1' });
    expect(outcome).toEqual({ ok: true, value: { exportId: 'e-1', url: '/exports/e-1' } });
    const sent = queue.notifyUser.take();
    expect(sent).toEqual([
      {
        userId: 'u1',
        id: 'export-e-1',
        data: { kind: 'export.ready', exportId: 'e-1', url: '/exports/e-1' },
      },
    ]);
  });

  it('gives the export to its owner only, until it expires', async () => {
    const { start, download, clock } = exportsFixture();
    await start.execute({ userId: 'u1', exportId: 'e-1' });
    const mine = await download.execute({ userId: 'u1', exportId: 'e-1' });
    expect(mine.ok && JSON.parse(mine.value.content)).toEqual({
      exportId: 'e-1',
      userId: 'u1',
      createdAt: NOW,
    });
    const theirs = await download.execute({ userId: 'u2', exportId: 'e-1' });
    expect(theirs).toEqual({ ok: false, error: { code: 'EXPORT_NOT_FOUND', message: 'no such export' } });
    const unknown = await download.execute({ userId: 'u1', exportId: 'e-2' });
    expect(unknown.ok).toBe(false);
    clock.advance(DEFAULT_EXPORT_TTL_MS);
    const expired = await download.execute({ userId: 'u1', exportId: 'e-1' });
    expect(expired.ok).toBe(false);
  });

  it('refuses an invalid user id with UNAUTHORIZED and stores nothing', async () => {
    const { start, queue } = exportsFixture();
    const outcome = await start.execute({ userId: '', exportId: 'e-1' });
    expect(outcome.ok ? null : outcome.error.code).toBe('UNAUTHORIZED');
    expect(queue.notifyUser.take()).toEqual([]);
  });
});
