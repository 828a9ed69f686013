import { describe, expect, it } from 'vitest';
import { createCore } from './fixture.js';

describe('Authorize', () => {
  it('marks an anonymous connection as the token’s user', async () => {
    const core = createCore();
    await core.connect.execute({ connectionId: 'c1' });
    const token = core.verifier.issue('u1', { lifetimeMs: 60_000 });
    const outcome = await core.authorize.execute({ connectionId: 'c1', token });
    const expiresAt = core.clock.now() + 60_000;
    expect(outcome).toEqual({ ok: true, value: { userId: 'u1', expiresAt } });
    expect(await core.repository.find('c1')).toMatchObject({ userId: 'u1', authExpiresAt: expiresAt });
    expect((await core.repository.findByUser('u1')).connections.map((c) => c.connectionId)).toEqual(['c1']);
  });

  it('refuses a bad token with UNAUTHORIZED and leaves the connection anonymous', async () => {
    const core = createCore();
    await core.connect.execute({ connectionId: 'c1' });
    const outcome = await core.authorize.execute({ connectionId: 'c1', token: 'forged' });
    expect(outcome).toEqual({ ok: false, error: { code: 'UNAUTHORIZED', message: 'the token is invalid' } });
    expect((await core.repository.find('c1'))?.userId).toBeNull();
  });

  it('refuses an unknown connection with UNAUTHORIZED and stores nothing', async () => {
    const core = createCore();
    const outcome = await core.authorize.execute({ connectionId: 'ghost', token: core.verifier.issue('u1') });
    expect(outcome).toEqual({
      ok: false,
      error: { code: 'UNAUTHORIZED', message: 'this connection is not registered' },
    });
    expect(core.repository.size).toBe(0);
  });

  it('succeeds again for the same user', async () => {
    const core = createCore();
    await core.connect.execute({ connectionId: 'c1', userId: 'u1', expiresAt: core.clock.now() + 1_000 });
    const outcome = await core.authorize.execute({ connectionId: 'c1', token: core.verifier.issue('u1') });
    const expiresAt = core.clock.now() + 15 * 60_000;
    expect(outcome).toEqual({ ok: true, value: { userId: 'u1', expiresAt } });
    // A fresh token of the same user moves the authorization's expiry, on the same socket.
    expect(await core.repository.find('c1')).toMatchObject({ userId: 'u1', authExpiresAt: expiresAt });
  });

  it('refuses another user with UNAUTHORIZED and keeps the first user', async () => {
    const core = createCore();
    await core.connect.execute({ connectionId: 'c1' });
    await core.authorize.execute({ connectionId: 'c1', token: core.verifier.issue('u1') });
    const outcome = await core.authorize.execute({ connectionId: 'c1', token: core.verifier.issue('u2') });
    expect(outcome).toEqual({
      ok: false,
      error: { code: 'UNAUTHORIZED', message: 'this connection is already authorized as another user' },
    });
    const kept = await core.repository.find('c1');
    expect(kept?.userId).toBe('u1');
    expect(kept?.authExpiresAt).toBe(core.clock.now() + 15 * 60_000);
    expect((await core.repository.findByUser('u2')).connections).toEqual([]);
  });

  it('lets exactly one of two concurrent authorizations with different users win', async () => {
    const core = createCore();
    await core.connect.execute({ connectionId: 'c1' });
    const outcomes = await Promise.all([
      core.authorize.execute({ connectionId: 'c1', token: core.verifier.issue('u1') }),
      core.authorize.execute({ connectionId: 'c1', token: core.verifier.issue('u2') }),
    ]);
    const winners = outcomes.flatMap((outcome) => (outcome.ok ? [outcome.value.userId] : []));
    expect(winners).toHaveLength(1);
    expect((await core.repository.find('c1'))?.userId).toBe(winners[0]);
  });
});
