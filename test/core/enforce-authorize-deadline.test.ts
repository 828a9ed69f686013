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

  // The deadline and an authorize race: the authorize lands just before the conditional
  // removal. The removal must see the user and keep the socket. (Found by the scheduler
  // property in interleaving.property.test.ts, when the use case read before it removed.)
  it('keeps a socket that authorizes just before the deadline removes it', async () => {
    const core = createCore();
    core.pusher.open('c1');
    await core.connect.execute({ connectionId: 'c1' });
    const racing: ConnectionRepository = {
      save: (c) => core.repository.save(c),
      find: (id) => core.repository.find(id),
      remove: (id) => core.repository.remove(id),
      assignUser: (id, user) => core.repository.assignUser(id, user),
      findByUser: (user, options) => core.repository.findByUser(user, options),
      removeIfConnectedBefore: (id, before) => core.repository.removeIfConnectedBefore(id, before),
      removeIfAnonymous: async (id) => {
        const authorized = await core.authorize.execute({
          connectionId: id,
          token: core.verifier.issue('u1'),
        });
        expect(authorized.ok).toBe(true);
        return core.repository.removeIfAnonymous(id);
      },
    };
    await new EnforceAuthorizeDeadline(racing, core.pusher).execute({ connectionId: 'c1' });
    expect(core.pusher.isOpen('c1')).toBe(true);
    expect((await core.repository.find('c1'))?.userId).toBe('u1');
  });

  it('refuses an authorize that lands after the deadline removed the socket', async () => {
    const core = createCore();
    core.pusher.open('c1');
    await core.connect.execute({ connectionId: 'c1' });
    expect(await core.enforceAuthorizeDeadline.execute({ connectionId: 'c1' })).toEqual({
      ok: true,
      value: { result: 'closed' },
    });
    const late = await core.authorize.execute({ connectionId: 'c1', token: core.verifier.issue('u1') });
    expect(late).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(core.repository.size).toBe(0);
  });
});
