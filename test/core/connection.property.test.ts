// Properties of a connection's life: registering, authorizing, leaving.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { userIdArbitrary, userIdsArbitrary } from '../support/core-arbitraries.js';
import { PROPERTY_PARAMETERS } from '../support/fast-check.js';
import { connectionIdsOf, type Core, createCore, LATER } from './fixture.js';

/** How a socket registers: as a user (authorizer or token) or anonymous. */
type Registration =
  | { readonly kind: 'userId'; readonly user: number }
  | { readonly kind: 'token'; readonly user: number }
  | { readonly kind: 'anonymous' };

const registrationArbitrary: fc.Arbitrary<Registration> = fc.oneof(
  fc.record({ kind: fc.constant('userId' as const), user: fc.nat() }),
  fc.record({ kind: fc.constant('token' as const), user: fc.nat() }),
  fc.constant({ kind: 'anonymous' as const }),
);

/** Connection ids as transports make them: distinct, printable. */
const connectionIdsArbitrary = (minLength: number, maxLength: number) =>
  fc.uniqueArray(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 }), {
    minLength,
    maxLength,
  });

async function register(
  core: Core,
  connectionId: string,
  registration: Registration,
  users: readonly string[],
) {
  const userOf = (index: number) => users[index % users.length]!;
  const input =
    registration.kind === 'userId'
      ? { connectionId, userId: userOf(registration.user), expiresAt: LATER }
      : registration.kind === 'token'
        ? { connectionId, token: core.verifier.issue(userOf(registration.user)) }
        : { connectionId };
  const outcome = await core.connect.execute(input);
  expect(outcome.ok).toBe(true);
  core.pusher.open(connectionId);
  return registration.kind === 'anonymous' ? null : userOf(registration.user);
}

function snapshot(core: Core) {
  return core.repository
    .all()
    .map(({ connectionId, userId }) => ({ connectionId, userId }))
    .sort((a, b) => (a.connectionId < b.connectionId ? -1 : 1));
}

// Hundreds of runs per property: more than vitest's default 5 s on a busy machine.
describe('a connection', { timeout: 60_000 }, () => {
  it('leaves no record after connect then disconnect, and others stay as they were', async () => {
    await fc.assert(
      fc.asyncProperty(
        userIdsArbitrary(1, 4),
        connectionIdsArbitrary(1, 12),
        fc.array(registrationArbitrary, { minLength: 12, maxLength: 12 }),
        async (users, ids, registrations) => {
          const core = createCore();
          const [target, ...others] = ids as [string, ...string[]];
          for (const [index, id] of others.entries())
            await register(core, id, registrations[index + 1]!, users);
          const before = snapshot(core);
          const user = await register(core, target, registrations[0]!, users);
          expect(await core.repository.find(target)).not.toBeNull();
          await core.disconnect.execute({ connectionId: target });
          expect(await core.repository.find(target)).toBeNull();
          expect(snapshot(core)).toEqual(before);
          expect(user === null ? [] : await connectionIdsOf(core, user)).not.toContain(target);
          expect(core.repository.size).toBe(others.length);
        },
      ),
      PROPERTY_PARAMETERS,
    );
  });

  it('never changes its user once set, whatever authorize attempts follow', async () => {
    const attemptArbitrary = fc.oneof(
      { weight: 4, arbitrary: fc.record({ kind: fc.constant('token' as const), user: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('revoked' as const), user: fc.nat() }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'forged' as const }) },
    );
    await fc.assert(
      fc.asyncProperty(
        userIdsArbitrary(1, 5),
        fc.option(fc.nat(), { nil: null }),
        // Each group is sent at once; groups follow one another.
        fc.array(fc.array(attemptArbitrary, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        async (users, initialUser, groups, viaRoute) => {
          const core = createCore();
          const userOf = (index: number) => users[index % users.length]!;
          let owner = initialUser === null ? null : userOf(initialUser);
          await core.connect.execute(
            owner === null ? { connectionId: 'c' } : { connectionId: 'c', userId: owner, expiresAt: LATER },
          );
          for (const group of groups) {
            const attempts = group.map((attempt) => {
              if (attempt.kind === 'forged') return { token: 'forged', user: null };
              const token = core.verifier.issue(userOf(attempt.user));
              if (attempt.kind === 'revoked') {
                core.verifier.revoke(token);
                return { token, user: null };
              }
              return { token, user: userOf(attempt.user) };
            });
            const granted = await Promise.all(
              attempts.map(async ({ token }) => {
                if (viaRoute) {
                  const body = JSON.stringify({ action: 'authorize', token });
                  const { reply } = await core.route.execute({ connectionId: 'c', body });
                  return reply.type === 'authorized' ? reply.userId : null;
                }
                const outcome = await core.authorize.execute({ connectionId: 'c', token });
                return outcome.ok ? outcome.value.userId : null;
              }),
            );
            const winners = new Set(granted.filter((user) => user !== null));
            expect(winners.size).toBeLessThanOrEqual(1);
            const [winner] = winners;
            owner ??= winner ?? null;
            // Every attempt with a valid token for the owner succeeds; every other fails.
            expect(granted).toEqual(
              attempts.map(({ user }) => (user !== null && user === owner ? owner : null)),
            );
            expect((await core.repository.find('c'))?.userId ?? null).toBe(owner);
          }
        },
      ),
      PROPERTY_PARAMETERS,
    );
  });

  it('is removed, and only it, when a push finds its socket gone', async () => {
    await fc.assert(
      fc.asyncProperty(
        userIdsArbitrary(1, 3),
        connectionIdsArbitrary(1, 15),
        fc.array(fc.tuple(registrationArbitrary, fc.boolean()), { minLength: 15, maxLength: 15 }),
        fc.nat(),
        userIdArbitrary,
        async (users, ids, setup, targetIndex, data) => {
          const core = createCore();
          for (const [index, id] of ids.entries()) {
            const [registration, closed] = setup[index]!;
            await register(core, id, registration, users);
            if (closed) core.pusher.close(id);
          }
          const target = ids[targetIndex % ids.length]!;
          const open = core.pusher.isOpen(target);
          const before = snapshot(core);
          const outcome = await core.notifyConnection.execute({
            message: { connectionId: target, data },
            messageId: 'm',
          });
          expect(outcome).toEqual({
            ok: true,
            value: { result: open ? 'delivered' : 'gone', notificationId: 'm' },
          });
          const expected = open ? before : before.filter((record) => record.connectionId !== target);
          expect(snapshot(core)).toEqual(expected);
          for (const id of ids) {
            expect(core.pusher.framesOf(id)).toHaveLength(id === target && open ? 1 : 0);
          }
        },
      ),
      PROPERTY_PARAMETERS,
    );
  });
});
