// Concurrency: use cases run at the same time, and a fast-check scheduler decides the order
// in which every port call happens. Whatever the interleaving, a notification reaches only
// the sockets of the user it was meant for.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { userIdsArbitrary } from '../support/core-arbitraries.js';
import { PROPERTY_PARAMETERS } from '../support/fast-check.js';
import { type Core, createCore, notificationsOf, LATER } from './fixture.js';

/** A port whose every call waits for the scheduler before it runs. */
function scheduled(scheduler: fc.Scheduler) {
  return <T extends object>(name: string, port: T): T =>
    new Proxy(port, {
      get(target, key) {
        const value: unknown = Reflect.get(target, key);
        if (typeof value !== 'function') return value;
        const method = value as (...args: unknown[]) => unknown;
        return async (...args: unknown[]) => {
          await scheduler.schedule(Promise.resolve(), `${name}.${String(key)}`);
          return method.apply(target, args);
        };
      },
    });
}

type Operation =
  | { readonly kind: 'connect'; readonly user: number | null }
  | {
      readonly kind: 'authorize';
      readonly connection: number;
      readonly user: number;
      readonly viaRoute: boolean;
    }
  | { readonly kind: 'disconnect'; readonly connection: number }
  | { readonly kind: 'closeSocket'; readonly connection: number }
  | { readonly kind: 'notifyUser'; readonly user: number }
  | { readonly kind: 'drain' }
  | { readonly kind: 'enforceDeadline'; readonly connection: number };

const operationArbitrary: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ kind: fc.constant('connect' as const), user: fc.option(fc.nat(), { nil: null }) }),
  fc.record({
    kind: fc.constant('authorize' as const),
    connection: fc.nat(),
    user: fc.nat(),
    viaRoute: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('disconnect' as const), connection: fc.nat() }),
  fc.record({ kind: fc.constant('closeSocket' as const), connection: fc.nat() }),
  fc.record({ kind: fc.constant('notifyUser' as const), user: fc.nat() }),
  fc.record({ kind: fc.constant('notifyUser' as const), user: fc.nat() }),
  fc.constant({ kind: 'drain' as const }),
  fc.record({ kind: fc.constant('enforceDeadline' as const), connection: fc.nat() }),
);

/** What the test knows about each socket: the user it belongs to, once one is granted. */
class Owners {
  private readonly owners = new Map<string, string | null>();

  add(connectionId: string, userId: string | null): void {
    this.owners.set(connectionId, userId);
  }

  grant(connectionId: string, userId: string): void {
    const current = this.owners.get(connectionId) ?? null;
    if (current !== null && current !== userId) {
      throw new Error(`${connectionId} was granted to ${userId} after ${current}`);
    }
    this.owners.set(connectionId, userId);
  }

  ownerOf(connectionId: string): string | null {
    return this.owners.get(connectionId) ?? null;
  }

  ids(): string[] {
    return [...this.owners.keys()];
  }
}

async function perform(
  core: Core,
  owners: Owners,
  users: readonly string[],
  operation: Operation,
  seq: number,
) {
  const userOf = (index: number) => users[index % users.length]!;
  const ids = owners.ids();
  const connectionOf = (index: number) => ids[index % ids.length] ?? 'nobody';
  switch (operation.kind) {
    case 'connect': {
      const connectionId = `late-${seq}`;
      const userId = operation.user === null ? null : userOf(operation.user);
      owners.add(connectionId, userId);
      core.pusher.open(connectionId);
      await core.connect.execute(
        userId === null ? { connectionId } : { connectionId, userId, expiresAt: LATER },
      );
      return;
    }
    case 'authorize': {
      const connectionId = connectionOf(operation.connection);
      const token = core.verifier.issue(userOf(operation.user));
      if (operation.viaRoute) {
        const body = JSON.stringify({ action: 'authorize', token });
        const { reply } = await core.route.execute({ connectionId, body });
        if (reply.type === 'authorized') owners.grant(connectionId, reply.userId);
      } else {
        const outcome = await core.authorize.execute({ connectionId, token });
        if (outcome.ok) owners.grant(connectionId, outcome.value.userId);
      }
      return;
    }
    case 'disconnect': {
      const connectionId = connectionOf(operation.connection);
      core.pusher.close(connectionId);
      await core.disconnect.execute({ connectionId });
      return;
    }
    case 'closeSocket':
      core.pusher.close(connectionOf(operation.connection));
      return;
    case 'notifyUser': {
      const userId = userOf(operation.user);
      await core.notifyUser.execute({
        message: { userId, data: { to: userId, seq } },
        messageId: `m-${seq}`,
      });
      return;
    }
    case 'drain':
      await Promise.all(
        core.messageQueue.notifyConnection
          .take()
          .map((message, index) =>
            core.notifyConnection.execute({ message, messageId: `nc-${seq}-${index}` }),
          ),
      );
      return;
    case 'enforceDeadline':
      await core.enforceAuthorizeDeadline.execute({ connectionId: connectionOf(operation.connection) });
      return;
  }
}

// Hundreds of runs per property: more than vitest's default 5 s on a busy machine.
describe('under any interleaving', { timeout: 60_000 }, () => {
  it('delivers a notification only to sockets of the user it was sent to, and at most once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        userIdsArbitrary(2, 3),
        fc.array(fc.option(fc.nat(), { nil: null }), { minLength: 1, maxLength: 6 }),
        fc.array(operationArbitrary, { minLength: 1, maxLength: 14 }),
        async (scheduler, users, initial, operations) => {
          const core = createCore({ interpose: scheduled(scheduler) });
          const owners = new Owners();
          for (const [index, user] of initial.entries()) {
            const connectionId = `c-${index}`;
            const userId = user === null ? null : users[user % users.length]!;
            owners.add(connectionId, userId);
            core.pusher.open(connectionId);
            await scheduler.waitFor(
              core.connect.execute(
                userId === null ? { connectionId } : { connectionId, userId, expiresAt: LATER },
              ),
            );
          }

          await scheduler.waitFor(
            Promise.all(operations.map((operation, seq) => perform(core, owners, users, operation, seq))),
          );
          await scheduler.waitFor(perform(core, owners, users, { kind: 'drain' }, operations.length));

          for (const connectionId of owners.ids()) {
            const owner = owners.ownerOf(connectionId);
            const notifications = notificationsOf(core, connectionId);
            expect(
              notifications.map(({ data }) => data as { to: string }).filter(({ to }) => to !== owner),
            ).toEqual([]);
            // Nothing is retried here, so nothing may arrive twice either.
            const ids = notifications.map(({ id }) => id);
            expect(new Set(ids).size).toBe(ids.length);
          }
        },
      ),
      PROPERTY_PARAMETERS,
    );
  });

  // This property found a real race: EnforceAuthorizeDeadline used to read the record, then
  // close and remove it, so an Authorize landing in between was undone. It now removes the
  // record with an atomic removeIfAnonymous first, and closes only what it removed.
  it('never closes a socket whose authorization succeeded', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.boolean(), async (scheduler, viaRoute) => {
        const core = createCore({ interpose: scheduled(scheduler) });
        core.pusher.open('c');
        await scheduler.waitFor(core.connect.execute({ connectionId: 'c' }));
        const token = core.verifier.issue('u1');
        const authorized = viaRoute
          ? core.route
              .execute({ connectionId: 'c', body: JSON.stringify({ action: 'authorize', token }) })
              .then(({ reply }) => reply.type === 'authorized')
          : core.authorize.execute({ connectionId: 'c', token }).then((outcome) => outcome.ok);
        const [granted, enforced] = await scheduler.waitFor(
          Promise.all([authorized, core.enforceAuthorizeDeadline.execute({ connectionId: 'c' })]),
        );
        const state = {
          granted,
          open: core.pusher.isOpen('c'),
          userId: (await core.repository.find('c'))?.userId ?? null,
          enforced,
        };
        // Either the deadline won (socket closed, record gone, authorize refused) or the
        // authorization did (socket open, record kept with its user).
        expect([
          { granted: false, open: false, userId: null, enforced: { ok: true, value: { result: 'closed' } } },
          {
            granted: true,
            open: true,
            userId: 'u1',
            enforced: { ok: true, value: { result: 'authorized' } },
          },
        ]).toContainEqual(state);
      }),
      PROPERTY_PARAMETERS,
    );
  });
});
