import { type ConnectionRepository, EnforceAuthorizeDeadline } from '@pushline/core';
import { describe, expect, it } from 'vitest';
import { createCore } from './fixture.js';

describe('EnforceAuthorizeDeadline', () => {
  it('closes and forgets a socket that is still anonymous', async () => {
    const core = createCore();
    core.pusher.open('c1');
    core.pusher.open('c2');
    await core.connect.execute({ connectionId: 'c1' });
    await core.connect.execute({ connectionId: 'c2' });
    const outcome = await core.enforceAuthorizeDeadline.execute({ connectionId: 'c1' });
    expect(outcome).toEqual({ ok: true, value: { result: 'closed' } });
    expect(core.pusher.isOpen('c1')).toBe(false);
    expect(core.pusher.isOpen('c2')).toBe(true);
    expect(core.repository.all().map((c) => c.connectionId)).toEqual(['c2']);
  });

  it('leaves an authorized socket alone', async () => {
    const core = createCore();
    core.pusher.open('c1');
    await core.connect.execute({ connectionId: 'c1' });
    await core.authorize.execute({ connectionId: 'c1', token: core.verifier.issue('u1') });
    const outcome = await core.enforceAuthorizeDeadline.execute({ connectionId: 'c1' });
    expect(outcome).toEqual({ ok: true, value: { result: 'authorized' } });
    expect(core.pusher.isOpen('c1')).toBe(true);
    expect((await core.repository.find('c1'))?.userId).toBe('u1');
  });

  it('reports a socket without a record as gone', async () => {
    const core = createCore();
    core.pusher.open('c1');
    expect(await core.enforceAuthorizeDeadline.execute({ connectionId: 'c1' })).toEqual({
      ok: true,
      value: { result: 'gone' },
    });
    expect(core.pusher.isOpen('c1')).toBe(true);
  });

  it('forgets an anonymous record whose socket already left, as gone', async () => {
    const core = createCore();
    core.pusher.open('c1');
    await core.connect.execute({ connectionId: 'c1' });
    core.pusher.close('c1');
    expect(await core.enforceAuthorizeDeadline.execute({ connectionId: 'c1' })).toEqual({
      ok: true,
      value: { result: 'gone' },
    });
    expect(core.repository.size).toBe(0);
  });

  it('is idempotent', async () => {
    const core = createCore();
    core.pusher.open('c1');
    await core.connect.execute({ connectionId: 'c1' });
    await core.enforceAuthorizeDeadline.execute({ connectionId: 'c1' });
    expect(await core.enforceAuthorizeDeadline.execute({ connectionId: 'c1' })).toEqual({
      ok: true,
      value: { result: 'gone' },
    });
  });

  // BUG (core): the use case reads the record, then closes and removes it without checking
  // again, so an Authorize that lands in between is undone. The property version, with a
  // fast-check scheduler, is in interleaving.property.test.ts.
  it.fails('keeps a socket that authorizes between the deadline’s read and its close', async () => {
    const core = createCore();
    core.pusher.open('c1');
    await core.connect.execute({ connectionId: 'c1' });
    const racing: ConnectionRepository = {
      save: (c) => core.repository.save(c),
      remove: (id) => core.repository.remove(id),
      assignUser: (id, user) => core.repository.assignUser(id, user),
      findByUser: (user, options) => core.repository.findByUser(user, options),
      find: async (id) => {
        const found = await core.repository.find(id);
        const authorized = await core.authorize.execute({
          connectionId: id,
          token: core.verifier.issue('u1'),
        });
        expect(authorized.ok).toBe(true);
        return found;
      },
    };
    await new EnforceAuthorizeDeadline(racing, core.pusher).execute({ connectionId: 'c1' });
    expect(core.pusher.isOpen('c1')).toBe(true);
    expect((await core.repository.find('c1'))?.userId).toBe('u1');
  });
});
