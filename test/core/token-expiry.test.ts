// The token lifecycle in the core: a socket's authorization ends at its token's `exp`, a fresh
// token of the same user moves it, and the check closes a socket whose time has passed.
import { InMemoryDeadlineScheduler } from '@pushline/adapters/memory';
import {
  Authorize,
  CLOSING_REASONS,
  closingFrame,
  EnforceTokenExpiry,
  MAX_SCHEDULE_AHEAD_MS,
  parseDeadlineMessage,
  RECONNECT_ADVICE,
  serializeDeadlineMessage,
  TransientError,
  type ConnectionPusher,
} from '@pushline/core';
import { describe, expect, it } from 'vitest';
import { type Core, createCore } from './fixture.js';

const MINUTE = 60_000;

function withExpiry(core: Core) {
  const deadlines = new InMemoryDeadlineScheduler(core.clock);
  const authorize = new Authorize(core.repository, core.verifier, { deadlines, clock: core.clock });
  const enforce = new EnforceTokenExpiry(core.repository, core.pusher, core.clock, deadlines);
  /** Runs every check that is due, as the deadline queue's consumer would. */
  async function runDue() {
    const results: string[] = [];
    for (const deadline of deadlines.due()) {
      if (deadline.kind !== 'token-expiry') continue;
      const outcome = await enforce.execute(deadline);
      results.push(outcome.value.result);
    }
    return results;
  }
  return { deadlines, authorize, enforce, runDue };
}

const frames = (core: Core, id: string) => core.pusher.framesOf(id).map((f) => JSON.parse(f) as unknown);

describe('the closing frame', () => {
  it('carries the advice of each reason, and afterMs only with "later"', () => {
    expect(CLOSING_REASONS.map((reason) => [reason, RECONNECT_ADVICE[reason]])).toEqual([
      ['TOKEN_EXPIRED', 'new-token'],
      ['AUTHORIZE_TIMEOUT', 'new-token'],
      ['RATE_LIMITED', 'later'],
      ['SESSION_MAX', 'now'],
      ['SHUTDOWN', 'later'],
    ]);
    expect(closingFrame('RATE_LIMITED', 1500.2)).toEqual({
      type: 'closing',
      reason: 'RATE_LIMITED',
      reconnect: 'later',
      afterMs: 1501,
    });
    expect(closingFrame('TOKEN_EXPIRED', 1000)).toEqual({
      type: 'closing',
      reason: 'TOKEN_EXPIRED',
      reconnect: 'new-token',
    });
    expect(closingFrame('SHUTDOWN')).toEqual({ type: 'closing', reason: 'SHUTDOWN', reconnect: 'later' });
  });
});

describe('EnforceTokenExpiry', () => {
  it('closes an authorized socket at its token’s expiry, after a closing frame, and forgets it', async () => {
    const core = createCore();
    const { authorize, runDue } = withExpiry(core);
    core.pusher.open('c1');
    await core.connect.execute({ connectionId: 'c1' });
    await authorize.execute({
      connectionId: 'c1',
      token: core.verifier.issue('u1', { lifetimeMs: 5 * MINUTE }),
    });
    core.clock.advance(5 * MINUTE - 1);
    expect(await runDue()).toEqual([]);
    expect(core.pusher.isOpen('c1')).toBe(true);
    core.clock.advance(1);
    expect(await runDue()).toEqual(['closed']);
    expect(frames(core, 'c1')).toEqual([
      { type: 'closing', reason: 'TOKEN_EXPIRED', reconnect: 'new-token' },
    ]);
    expect(core.pusher.isOpen('c1')).toBe(false);
    expect(core.repository.size).toBe(0);
  });

  it('keeps a socket that re-authorized with a fresh token of the same user, until the new expiry', async () => {
    const core = createCore();
    const { authorize, runDue } = withExpiry(core);
    core.pusher.open('c1');
    await core.connect.execute({ connectionId: 'c1' });
    await authorize.execute({
      connectionId: 'c1',
      token: core.verifier.issue('u1', { lifetimeMs: 5 * MINUTE }),
    });
    core.clock.advance(4 * MINUTE);
    const again = await authorize.execute({
      connectionId: 'c1',
      token: core.verifier.issue('u1', { lifetimeMs: 5 * MINUTE }),
    });
    expect(again.ok && again.value.expiresAt).toBe(core.clock.now() + 5 * MINUTE);
    core.clock.advance(MINUTE);
    // The first authorization's check finds the expiry moved: its own check comes later.
    expect(await runDue()).toEqual(['renewed']);
    expect(core.pusher.isOpen('c1')).toBe(true);
    core.clock.advance(4 * MINUTE);
    expect(await runDue()).toEqual(['closed']);
    expect(core.pusher.isOpen('c1')).toBe(false);
  });

  it('refuses another user’s token on an authorized socket and keeps the first expiry', async () => {
    const core = createCore();
    const { authorize, runDue } = withExpiry(core);
    core.pusher.open('c1');
    await core.connect.execute({ connectionId: 'c1' });
    await authorize.execute({ connectionId: 'c1', token: core.verifier.issue('u1', { lifetimeMs: MINUTE }) });
    const other = await authorize.execute({
      connectionId: 'c1',
      token: core.verifier.issue('u2', { lifetimeMs: 10 * MINUTE }),
    });
    expect(other.ok ? null : other.error.code).toBe('UNAUTHORIZED');
    core.clock.advance(MINUTE);
    expect(await runDue()).toEqual(['closed']);
    core.clock.advance(10 * MINUTE);
    // The refused token's check finds nothing to do.
    expect(await runDue()).toEqual(['gone']);
  });

  it('checks an expiry further away than SQS can delay at the 15-minute horizon, and again', async () => {
    const core = createCore();
    const { authorize, deadlines, runDue } = withExpiry(core);
    core.pusher.open('c1');
    await core.connect.execute({ connectionId: 'c1' });
    const now = core.clock.now();
    await authorize.execute({
      connectionId: 'c1',
      token: core.verifier.issue('u1', { lifetimeMs: 40 * MINUTE }),
    });
    for (const deadline of deadlines.scheduled())
      expect(deadline.at - now).toBeLessThanOrEqual(MAX_SCHEDULE_AHEAD_MS);
    core.clock.advance(15 * MINUTE);
    expect(await runDue()).toEqual(['rescheduled']);
    core.clock.advance(15 * MINUTE);
    expect(await runDue()).toEqual(['rescheduled']);
    expect(deadlines.scheduled()).toEqual([
      { kind: 'token-expiry', connectionId: 'c1', at: now + 40 * MINUTE, expiresAt: now + 40 * MINUTE },
    ]);
    core.clock.advance(10 * MINUTE);
    expect(await runDue()).toEqual(['closed']);
  });

  it('keeps the record when the close fails, so the retry closes the socket', async () => {
    const core = createCore();
    const { authorize } = withExpiry(core);
    core.pusher.open('c1');
    await core.connect.execute({ connectionId: 'c1' });
    const granted = await authorize.execute({ connectionId: 'c1', token: core.verifier.issue('u1') });
    const expiresAt = granted.ok ? granted.value.expiresAt : 0;
    let failures = 1;
    const flaky: ConnectionPusher = {
      push: (id, payload) => core.pusher.push(id, payload),
      info: (id) => core.pusher.info(id),
      disconnect: (id) =>
        failures-- > 0 ? Promise.reject(new TransientError('503')) : core.pusher.disconnect(id),
    };
    const enforce = new EnforceTokenExpiry(core.repository, flaky, core.clock);
    core.clock.set(expiresAt);
    await expect(enforce.execute({ connectionId: 'c1', expiresAt })).rejects.toThrow('503');
    expect(core.repository.size).toBe(1);
    expect(await enforce.execute({ connectionId: 'c1', expiresAt })).toEqual({
      ok: true,
      value: { result: 'closed' },
    });
    expect(core.pusher.isOpen('c1')).toBe(false);
  });

  it('reports a socket that already left as gone, and an early check without a scheduler as not due', async () => {
    const core = createCore();
    const enforce = new EnforceTokenExpiry(core.repository, core.pusher, core.clock);
    expect(await enforce.execute({ connectionId: 'ghost', expiresAt: 1 })).toEqual({
      ok: true,
      value: { result: 'gone' },
    });
    const expiresAt = core.clock.now() + MINUTE;
    await core.connect.execute({ connectionId: 'c1', userId: 'u1', expiresAt });
    expect(await enforce.execute({ connectionId: 'c1', expiresAt })).toEqual({
      ok: true,
      value: { result: 'not-due' },
    });
    core.clock.advance(MINUTE);
    expect(await enforce.execute({ connectionId: 'c1', expiresAt })).toEqual({
      ok: true,
      value: { result: 'gone' },
    });
    expect(core.repository.size).toBe(0);
  });
});

describe('token expiry messages', () => {
  it('round-trip, and an authorize deadline keeps its first format', () => {
    const check = { kind: 'token-expiry', connectionId: 'c1', at: 5, expiresAt: 9 } as const;
    expect(parseDeadlineMessage(serializeDeadlineMessage(check))).toEqual({ ok: true, value: check });
    expect(serializeDeadlineMessage({ connectionId: 'c1', at: 5 })).toBe('{"connectionId":"c1","at":5}');
  });

  it.each([
    [
      '{"kind":"token-expiry","connectionId":"c1","at":5}',
      "'expiresAt' must be a number of epoch milliseconds",
    ],
    ['{"kind":"later","connectionId":"c1","at":5}', "'kind' must be 'authorize' or 'token-expiry'"],
  ])('refuses %s', (body, message) => {
    expect(parseDeadlineMessage(body)).toEqual({
      ok: false,
      error: { code: 'MALFORMED_QUEUE_MESSAGE', message },
    });
  });
});
