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
});
