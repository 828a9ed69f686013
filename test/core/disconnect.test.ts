import { describe, expect, it } from 'vitest';
import { createCore, LATER } from './fixture.js';

describe('Disconnect', () => {
  it('removes the socket’s record and only it', async () => {
    const core = createCore();
    await core.connect.execute({ connectionId: 'c1', userId: 'u1', expiresAt: LATER });
    await core.connect.execute({ connectionId: 'c2', userId: 'u1', expiresAt: LATER });
    await core.connect.execute({ connectionId: 'c3' });
    expect(await core.disconnect.execute({ connectionId: 'c1' })).toEqual({
      ok: true,
      value: { connectionId: 'c1' },
    });
    expect(core.repository.all().map((c) => c.connectionId)).toEqual(['c2', 'c3']);
    expect((await core.repository.findByUser('u1')).connections.map((c) => c.connectionId)).toEqual(['c2']);
  });

  it('succeeds for an unknown or already removed socket', async () => {
    const core = createCore();
    await core.connect.execute({ connectionId: 'c1', userId: 'u1', expiresAt: LATER });
    expect((await core.disconnect.execute({ connectionId: 'c1' })).ok).toBe(true);
    expect((await core.disconnect.execute({ connectionId: 'c1' })).ok).toBe(true);
    expect((await core.disconnect.execute({ connectionId: 'never' })).ok).toBe(true);
    expect(core.repository.size).toBe(0);
  });
});
