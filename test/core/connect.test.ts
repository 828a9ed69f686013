import { DEFAULT_AUTHORIZE_DEADLINE_MS, DEFAULT_CONNECTION_TTL_MS } from '@pushline/core';
import { describe, expect, it } from 'vitest';
import { createCore, LATER } from './fixture.js';

const NOW = 1_000_000;

describe('Connect', () => {
  it('registers a socket as the user an authorizer named', async () => {
    const core = createCore({ allowAnonymous: false, now: NOW });
    const outcome = await core.connect.execute({ connectionId: 'c1', userId: 'u1', expiresAt: LATER });
    const connection = {
      connectionId: 'c1',
      userId: 'u1',
      connectedAt: NOW,
      expiresAt: NOW + DEFAULT_CONNECTION_TTL_MS,
      authExpiresAt: LATER,
    };
    expect(outcome).toEqual({ ok: true, value: { connection, authorizeBy: null, authExpiresAt: LATER } });
    expect(await core.repository.find('c1')).toEqual(connection);
  });

  it.each([
    ['an empty user id', ''],
    ['a user id with a control character', 'u\u0001'],
    ['a user id of 257 characters', 'u'.repeat(257)],
  ])('refuses %s from the authorizer with UNAUTHORIZED and stores nothing', async (_, userId) => {
    const core = createCore({ allowAnonymous: true });
    const outcome = await core.connect.execute({ connectionId: 'c1', userId, expiresAt: LATER });
    expect(outcome.ok ? null : outcome.error.code).toBe('UNAUTHORIZED');
    expect(core.repository.size).toBe(0);
  });

  it('registers a socket as the user of a valid token', async () => {
    const core = createCore({ allowAnonymous: false });
    const token = core.verifier.issue('u1');
    const outcome = await core.connect.execute({ connectionId: 'c1', token });
    expect(outcome.ok && outcome.value.connection.userId).toBe('u1');
    expect((await core.repository.find('c1'))?.userId).toBe('u1');
  });

  it('refuses a bad token with UNAUTHORIZED and stores nothing, even when anonymous sockets are allowed', async () => {
    const core = createCore({ allowAnonymous: true });
    const token = core.verifier.issue('u1');
    core.verifier.revoke(token);
    const outcome = await core.connect.execute({ connectionId: 'c1', token });
    expect(outcome).toEqual({ ok: false, error: { code: 'UNAUTHORIZED', message: 'the token is invalid' } });
    expect(core.repository.size).toBe(0);
  });

  it('prefers the authorizer’s user id over a token', async () => {
    const core = createCore();
    const outcome = await core.connect.execute({
      connectionId: 'c1',
      userId: 'u1',
      expiresAt: LATER,
      token: 'not-a-token',
    });
    expect(outcome.ok && outcome.value.connection.userId).toBe('u1');
  });

  it('admits an anonymous socket when allowed, with an authorize deadline', async () => {
    const core = createCore({ allowAnonymous: true, now: NOW });
    const outcome = await core.connect.execute({ connectionId: 'c1' });
    expect(outcome.ok && outcome.value).toEqual({
      connection: {
        connectionId: 'c1',
        userId: null,
        connectedAt: NOW,
        expiresAt: NOW + DEFAULT_CONNECTION_TTL_MS,
      },
      authorizeBy: NOW + DEFAULT_AUTHORIZE_DEADLINE_MS,
      authExpiresAt: null,
    });
    expect((await core.repository.find('c1'))?.userId).toBeNull();
  });

  it('refuses an anonymous socket with UNAUTHORIZED when anonymous sockets are not allowed', async () => {
    const core = createCore({ allowAnonymous: false });
    const outcome = await core.connect.execute({ connectionId: 'c1' });
    expect(outcome).toEqual({
      ok: false,
      error: { code: 'UNAUTHORIZED', message: 'a token is required to connect' },
    });
    expect(core.repository.size).toBe(0);
  });

  it('uses the configured TTL and authorize deadline', async () => {
    const core = createCore({ now: NOW, ttlMs: 5_000, authorizeDeadlineMs: 700 });
    const outcome = await core.connect.execute({ connectionId: 'c1' });
    expect(outcome.ok && outcome.value.connection.expiresAt).toBe(NOW + 5_000);
    expect(outcome.ok && outcome.value.authorizeBy).toBe(NOW + 700);
  });

  it('replaces the record on a repeated connect of the same id', async () => {
    const core = createCore({ now: NOW });
    await core.connect.execute({ connectionId: 'c1', userId: 'u1', expiresAt: LATER });
    core.clock.advance(10);
    await core.connect.execute({ connectionId: 'c1', userId: 'u1', expiresAt: LATER });
    expect(core.repository.all()).toEqual([
      expect.objectContaining({ connectionId: 'c1', userId: 'u1', connectedAt: NOW + 10 }),
    ]);
  });
});
