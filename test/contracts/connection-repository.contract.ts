// The ConnectionRepository contract: every guarantee of the port's TSDoc, as cases any
// adapter must pass. Adapters' test files call describeConnectionRepositoryContract, then add
// their own cases. Every case writes ids under a fresh scope, so one store (one DynamoDB
// table) serves the whole run and is never truncated.
import type { Connection, ConnectionPage, ConnectionRepository, UserId } from '@pushline/core';
import fc from 'fast-check';
import { afterAll, assert, beforeAll, describe, expect, it } from 'vitest';
import {
  connectionFrom,
  connectionOf,
  connectionSpec,
  distinctIdParts,
  freshScope,
  idPart,
  type IdScope,
  lifetime,
} from '../support/arbitraries.js';

/** What an adapter's test file gives the contract. */
export interface ConnectionRepositoryHarness {
  readonly repository: ConnectionRepository;
  dispose(): Promise<void>;
}

/** Runs per property: enough to find edge cases, few enough for a real peer on a shared 2-core machine. */
const NUM_RUNS = 25;
/** Time allowed to a property case against a real peer. */
const PROPERTY_TIMEOUT_MS = 60_000;

/** Walks every page of a user's connections, keeping each page for assertions. */
export async function walkUser(
  repository: ConnectionRepository,
  userId: UserId,
  limit: number,
  between: (page: ConnectionPage, index: number) => Promise<void> = () => Promise.resolve(),
): Promise<ConnectionPage[]> {
  const pages: ConnectionPage[] = [];
  let cursor: string | null = null;
  do {
    const page = await repository.findByUser(userId, { cursor, limit });
    pages.push(page);
    cursor = page.cursor;
    if (cursor !== null) await between(page, pages.length - 1);
    // A contract walk is bounded: a cursor that never ends is a failure, not a hang.
    if (pages.length > 10_000) throw new Error('findByUser never returned a null cursor');
  } while (cursor !== null);
  return pages;
}

function idsOf(pages: readonly ConnectionPage[]): string[] {
  return pages.flatMap((page) => page.connections.map((connection) => connection.connectionId));
}

function byId(a: Connection, b: Connection): number {
  return a.connectionId < b.connectionId ? -1 : a.connectionId > b.connectionId ? 1 : 0;
}

/** Defines the contract's cases for the repository `make` builds (once, for the whole describe block). */
export function describeConnectionRepositoryContract(
  name: string,
  make: () => Promise<ConnectionRepositoryHarness>,
): void {
  describe(`${name} keeps the ConnectionRepository contract`, () => {
    let harness: ConnectionRepositoryHarness | undefined;
    const repo = (): ConnectionRepository => {
      if (harness === undefined) throw new Error('the harness was not built');
      return harness.repository;
    };

    beforeAll(async () => {
      harness = await make();
    });

    afterAll(async () => {
      await harness?.dispose();
    });

    describe('save and find', () => {
      it(
        'finds a saved connection exactly as it was saved',
        async () => {
          await fc.assert(
            fc.asyncProperty(connectionSpec, async (spec) => {
              const connection = connectionFrom(freshScope(), spec);
              await repo().save(connection);
              expect(await repo().find(connection.connectionId)).toEqual(connection);
            }),
            { numRuns: NUM_RUNS },
          );
        },
        PROPERTY_TIMEOUT_MS,
      );

      it('finds nothing for an id that was never saved', async () => {
        expect(await repo().find(freshScope().connectionId('never'))).toBeNull();
      });

      it(
        'saves idempotently: the same connection twice is one record',
        async () => {
          await fc.assert(
            fc.asyncProperty(connectionSpec, async (spec) => {
              const scope = freshScope();
              const connection = connectionFrom(scope, spec);
              await repo().save(connection);
              await repo().save(connection);
              expect(await repo().find(connection.connectionId)).toEqual(connection);
              const pages = await walkUser(repo(), connection.userId ?? scope.userId('anyone'), 10);
              expect(idsOf(pages)).toEqual(connection.userId === null ? [] : [connection.connectionId]);
            }),
            { numRuns: NUM_RUNS },
          );
        },
        PROPERTY_TIMEOUT_MS,
      );

      it(
        'upserts: a second save with the same id replaces the record, and the user index follows',
        async () => {
          await fc.assert(
            fc.asyncProperty(
              idPart,
              distinctIdParts({ minLength: 2, maxLength: 2 }),
              lifetime,
              lifetime,
              async (id, [first, second], t1, t2) => {
                const scope = freshScope();
                const before = connectionOf(scope.connectionId(id), scope.userId(first!), t1);
                const after = connectionOf(scope.connectionId(id), scope.userId(second!), t2);
                await repo().save(before);
                await repo().save(after);
                expect(await repo().find(before.connectionId)).toEqual(after);
                expect(idsOf(await walkUser(repo(), before.userId!, 10))).toEqual([]);
                expect(idsOf(await walkUser(repo(), after.userId!, 10))).toEqual([after.connectionId]);
              },
            ),
            { numRuns: NUM_RUNS },
          );
        },
        PROPERTY_TIMEOUT_MS,
      );
    });

    describe('remove', () => {
      it(
        'removes only the given id, and removing again (or an unknown id) is a no-op',
        async () => {
          await fc.assert(
            fc.asyncProperty(
              distinctIdParts({ minLength: 2, maxLength: 2 }),
              idPart,
              lifetime,
              async ([gone, kept], user, times) => {
                const scope = freshScope();
                const removed = connectionOf(scope.connectionId(gone!), scope.userId(user), times);
                const survivor = connectionOf(scope.connectionId(kept!), scope.userId(user), times);
                await repo().save(removed);
                await repo().save(survivor);
                await repo().remove(removed.connectionId);
                await repo().remove(removed.connectionId);
                await repo().remove(scope.connectionId(`${gone!}-unknown`));
                expect(await repo().find(removed.connectionId)).toBeNull();
                expect(await repo().find(survivor.connectionId)).toEqual(survivor);
                expect(idsOf(await walkUser(repo(), scope.userId(user), 10))).toEqual([
                  survivor.connectionId,
                ]);
              },
            ),
            { numRuns: NUM_RUNS },
          );
        },
        PROPERTY_TIMEOUT_MS,
      );
    });

    describe('assignUser', () => {
      it(
        'sets the user of an anonymous connection, and the user then finds it',
        async () => {
          await fc.assert(
            fc.asyncProperty(idPart, idPart, lifetime, async (id, user, times) => {
              const scope = freshScope();
              const anonymous = connectionOf(scope.connectionId(id), null, times);
              await repo().save(anonymous);
              const assigned = await repo().assignUser(anonymous.connectionId, scope.userId(user));
              const expected = { ...anonymous, userId: scope.userId(user) };
              expect(assigned).toEqual({ ok: true, value: expected });
              expect(await repo().find(anonymous.connectionId)).toEqual(expected);
              const pages = await walkUser(repo(), scope.userId(user), 10);
              expect(pages.flatMap((page) => page.connections)).toEqual([expected]);
            }),
            { numRuns: NUM_RUNS },
          );
        },
        PROPERTY_TIMEOUT_MS,
      );

      it(
        'accepts the user the connection already has, and refuses another with USER_CONFLICT',
        async () => {
          await fc.assert(
            fc.asyncProperty(
              idPart,
              distinctIdParts({ minLength: 2, maxLength: 2 }),
              lifetime,
              async (id, [owner, intruder], times) => {
                const scope = freshScope();
                const connection = connectionOf(scope.connectionId(id), scope.userId(owner!), times);
                await repo().save(connection);
                expect(await repo().assignUser(connection.connectionId, scope.userId(owner!))).toEqual({
                  ok: true,
                  value: connection,
                });
                const conflict = await repo().assignUser(connection.connectionId, scope.userId(intruder!));
                expect(conflict.ok ? null : conflict.error.code).toBe('USER_CONFLICT');
                expect(await repo().find(connection.connectionId)).toEqual(connection);
                expect(idsOf(await walkUser(repo(), scope.userId(intruder!), 10))).toEqual([]);
              },
            ),
            { numRuns: NUM_RUNS },
          );
        },
        PROPERTY_TIMEOUT_MS,
      );

      it('answers CONNECTION_NOT_FOUND for an unknown connection and creates no record', async () => {
        const scope = freshScope();
        const outcome = await repo().assignUser(scope.connectionId('ghost'), scope.userId('u'));
        expect(outcome.ok ? null : outcome.error.code).toBe('CONNECTION_NOT_FOUND');
        expect(await repo().find(scope.connectionId('ghost'))).toBeNull();
        expect(idsOf(await walkUser(repo(), scope.userId('u'), 10))).toEqual([]);
      });

      it('answers CONNECTION_NOT_FOUND for a removed connection', async () => {
        const scope = freshScope();
        const connection = connectionOf(scope.connectionId('gone'), null, {
          connectedAt: 1_000,
          expiresAt: 9_000,
        });
        await repo().save(connection);
        await repo().remove(connection.connectionId);
        const outcome = await repo().assignUser(connection.connectionId, scope.userId('u'));
        expect(outcome.ok ? null : outcome.error.code).toBe('CONNECTION_NOT_FOUND');
        expect(await repo().find(connection.connectionId)).toBeNull();
      });

      it(
        'lets exactly one of two concurrent assignments by different users win',
        async () => {
          await fc.assert(
            fc.asyncProperty(
              idPart,
              distinctIdParts({ minLength: 2, maxLength: 2 }),
              lifetime,
              async (id, [a, b], times) => {
                const scope = freshScope();
                const connection = connectionOf(scope.connectionId(id), null, times);
                await repo().save(connection);
                const outcomes = await Promise.all([
                  repo().assignUser(connection.connectionId, scope.userId(a!)),
                  repo().assignUser(connection.connectionId, scope.userId(b!)),
                ]);
                const winners = outcomes.filter((outcome) => outcome.ok);
                const losers = outcomes.flatMap((outcome) => (outcome.ok ? [] : [outcome.error.code]));
                expect(winners).toHaveLength(1);
                expect(losers).toEqual(['USER_CONFLICT']);
                const stored = await repo().find(connection.connectionId);
                expect(stored).toEqual(winners[0]?.ok === true ? winners[0].value : undefined);
              },
            ),
            { numRuns: NUM_RUNS },
          );
        },
        PROPERTY_TIMEOUT_MS,
      );

      it('lets two concurrent assignments by the same user both succeed', async () => {
        const scope = freshScope();
        const connection = connectionOf(scope.connectionId('twice'), null, {
          connectedAt: 5_000,
          expiresAt: 8_000,
        });
        await repo().save(connection);
        const outcomes = await Promise.all([
          repo().assignUser(connection.connectionId, scope.userId('same')),
          repo().assignUser(connection.connectionId, scope.userId('same')),
        ]);
        const expected = { ...connection, userId: scope.userId('same') };
        expect(outcomes).toEqual([
          { ok: true, value: expected },
          { ok: true, value: expected },
        ]);
      });
    });

    describe('removeIfConnectedBefore', () => {
      it('removes a record that connected before the time, and only it', async () => {
        const scope = freshScope();
        const old = connectionOf(scope.connectionId('old'), scope.userId('u'), {
          connectedAt: 5_000,
          expiresAt: 80_000,
        });
        const other = connectionOf(scope.connectionId('other'), scope.userId('u'), {
          connectedAt: 5_000,
          expiresAt: 80_000,
        });
        await repo().save(old);
        await repo().save(other);
        expect(await repo().removeIfConnectedBefore(old.connectionId, 5_000)).toBe('removed');
        expect(await repo().find(old.connectionId)).toBeNull();
        expect(await repo().find(other.connectionId)).toEqual(other);
        const pages = await walkUser(repo(), old.userId ?? '', 10);
        expect(idsOf(pages)).toEqual([other.connectionId]);
      });

      it('keeps a record that connected after the time (a socket still connecting)', async () => {
        const scope = freshScope();
        const young = connectionOf(scope.connectionId('young'), scope.userId('u'), {
          connectedAt: 5_000,
          expiresAt: 80_000,
        });
        await repo().save(young);
        expect(await repo().removeIfConnectedBefore(young.connectionId, 4_999)).toBe('kept');
        expect(await repo().removeIfConnectedBefore(young.connectionId, 1_000)).toBe('kept');
        expect(await repo().find(young.connectionId)).toEqual(young);
      });

      it('answers not-found for an unknown connection', async () => {
        const scope = freshScope();
        expect(await repo().removeIfConnectedBefore(scope.connectionId('never'), 9_000)).toBe('not-found');
      });
    });

    describe('removeIfAnonymous', () => {
      it('removes an anonymous record and only it', async () => {
        const scope = freshScope();
        const times = { connectedAt: 5_000, expiresAt: 8_000 };
        const anonymous = connectionOf(scope.connectionId('anon'), null, times);
        const other = connectionOf(scope.connectionId('other'), null, times);
        await repo().save(anonymous);
        await repo().save(other);
        expect(await repo().removeIfAnonymous(anonymous.connectionId)).toBe('removed');
        expect(await repo().find(anonymous.connectionId)).toBeNull();
        expect(await repo().find(other.connectionId)).toEqual(other);
      });

      it('keeps an authorized record and says so', async () => {
        const scope = freshScope();
        const owned = connectionOf(scope.connectionId('owned'), scope.userId('u'), {
          connectedAt: 5_000,
          expiresAt: 8_000,
        });
        await repo().save(owned);
        expect(await repo().removeIfAnonymous(owned.connectionId)).toBe('authorized');
        expect(await repo().find(owned.connectionId)).toEqual(owned);
      });

      it('answers not-found for an unknown or already removed connection', async () => {
        const scope = freshScope();
        expect(await repo().removeIfAnonymous(scope.connectionId('never'))).toBe('not-found');
        const once = connectionOf(scope.connectionId('once'), null, { connectedAt: 5_000, expiresAt: 8_000 });
        await repo().save(once);
        expect(await repo().removeIfAnonymous(once.connectionId)).toBe('removed');
        expect(await repo().removeIfAnonymous(once.connectionId)).toBe('not-found');
      });

      it(
        'never both removes a record and lets a concurrent assignment succeed',
        async () => {
          await fc.assert(
            fc.asyncProperty(idPart, idPart, lifetime, async (id, user, times) => {
              const scope = freshScope();
              const connection = connectionOf(scope.connectionId(id), null, times);
              await repo().save(connection);
              const [removed, assigned] = await Promise.all([
                repo().removeIfAnonymous(connection.connectionId),
                repo().assignUser(connection.connectionId, scope.userId(user)),
              ]);
              const stored = await repo().find(connection.connectionId);
              // Exactly one of the two happened: removed (the assignment found nothing) or
              // assigned (the removal saw the user and kept the record).
              const removedFirst = {
                removed: 'removed',
                assigned: 'CONNECTION_NOT_FOUND',
                storedUser: undefined,
              };
              const assignedFirst = { removed: 'authorized', assigned: 'ok', storedUser: scope.userId(user) };
              const observed = {
                removed,
                assigned: assigned.ok ? 'ok' : assigned.error.code,
                storedUser: stored?.userId ?? undefined,
              };
              expect([removedFirst, assignedFirst]).toContainEqual(observed);
            }),
            { numRuns: NUM_RUNS },
          );
        },
        PROPERTY_TIMEOUT_MS,
      );
    });

    describe('findByUser', () => {
      it(
        'returns each of the user’s connections exactly once across pages, for any page size',
        async () => {
          const population = fc.record({
            mine: distinctIdParts({ maxLength: 23 }),
            others: distinctIdParts({ maxLength: 4 }),
            anonymous: distinctIdParts({ maxLength: 4 }),
            times: lifetime,
            limit: fc.oneof(fc.constantFrom(1, 2, 10, 100), fc.integer({ min: 1, max: 25 })),
          });
          await fc.assert(
            fc.asyncProperty(population, async ({ mine, others, anonymous, times, limit }) => {
              const scope = freshScope();
              const user = scope.userId('me');
              const own = mine.map((id) => connectionOf(scope.connectionId(`m${id}`), user, times));
              const saved = [
                ...own,
                ...others.map((id) =>
                  connectionOf(scope.connectionId(`o${id}`), scope.userId(`other${id}`), times),
                ),
                ...anonymous.map((id) => connectionOf(scope.connectionId(`a${id}`), null, times)),
              ];
              for (const connection of saved) await repo().save(connection);
              const pages = await walkUser(repo(), user, limit);
              const found = pages.flatMap((page) => page.connections);
              expect([...found].sort(byId)).toEqual([...own].sort(byId));
              for (const page of pages) {
                expect(page.connections.length).toBeLessThanOrEqual(limit);
                expect(page.malformed).toEqual([]);
              }
              // The last page says so: no trailing empty page after the last connection, and a
              // user with no connections gets exactly one (empty) page.
              const empty = pages.filter((page) => page.connections.length === 0).length;
              expect(empty).toBe(own.length === 0 ? 1 : 0);
            }),
            { numRuns: NUM_RUNS },
          );
        },
        PROPERTY_TIMEOUT_MS,
      );

      it('returns one empty page with a null cursor for a user with no connections', async () => {
        const page = await repo().findByUser(freshScope().userId('nobody'));
        expect(page).toEqual({ connections: [], cursor: null, malformed: [] });
      });

      it(
        'never repeats a connection when connections are removed or added during the walk',
        async () => {
          const walk = fc.record({
            parts: distinctIdParts({ minLength: 4, maxLength: 16 }),
            limit: fc.integer({ min: 1, max: 4 }),
            removeSeen: fc.nat(),
            removeUnseen: fc.nat(),
            times: lifetime,
          });
          await fc.assert(
            fc.asyncProperty(walk, async ({ parts, limit, removeSeen, removeUnseen, times }) => {
              const scope = freshScope();
              const user = scope.userId('walker');
              const all = parts.map((part) => connectionOf(scope.connectionId(`p${part}`), user, times));
              for (const connection of all) await repo().save(connection);
              const seen = new Set<string>();
              const removed = new Set<string>();
              let added = 0;
              const pages = await walkUser(repo(), user, limit, async (page) => {
                for (const connection of page.connections) seen.add(connection.connectionId);
                const seenIds = [...seen].filter((id) => !removed.has(id));
                const unseenIds = all
                  .map((c) => c.connectionId)
                  .filter((id) => !seen.has(id) && !removed.has(id));
                const victims = [
                  seenIds[removeSeen % Math.max(1, seenIds.length)],
                  unseenIds[removeUnseen % Math.max(1, unseenIds.length)],
                ];
                for (const victim of victims) {
                  if (victim === undefined) continue;
                  removed.add(victim);
                  await repo().remove(victim);
                }
                added += 1;
                await repo().save(connectionOf(scope.connectionId(`n${added}`), user, times));
              });
              const ids = idsOf(pages);
              expect(new Set(ids).size).toBe(ids.length);
              const stayed = all.map((c) => c.connectionId).filter((id) => !removed.has(id));
              for (const id of stayed) expect(ids).toContain(id);
              for (const id of ids) expect(scope.owns(id)).toBe(true);
            }),
            { numRuns: NUM_RUNS },
          );
        },
        PROPERTY_TIMEOUT_MS,
      );
    });

    describe('as a whole', () => {
      it(
        'behaves like a Map under any sequence of operations (model-based)',
        async () => {
          await fc.assert(
            fc.asyncProperty(fc.commands(repositoryCommands, { maxCommands: 20 }), async (commands) => {
              await fc.asyncModelRun(
                () => ({
                  model: { scope: freshScope(), records: new Map<string, Connection>() },
                  real: repo(),
                }),
                commands,
              );
            }),
            { numRuns: NUM_RUNS },
          );
        },
        PROPERTY_TIMEOUT_MS,
      );
    });
  });
}

// The model-based case: a few ids and users per run, so commands collide on purpose.

interface RepositoryModel {
  readonly scope: IdScope;
  readonly records: Map<string, Connection>;
}

type RepositoryCommand = fc.AsyncCommand<RepositoryModel, ConnectionRepository>;

const slot = fc.integer({ min: 0, max: 3 });
const userSlot = fc.integer({ min: 0, max: 2 });

const cid = (m: RepositoryModel, i: number): string => m.scope.connectionId(`k${i}`);
const uid = (m: RepositoryModel, u: number): string => m.scope.userId(`u${u}`);

class SaveCommand implements RepositoryCommand {
  constructor(
    readonly i: number,
    readonly u: number | null,
    readonly times: { connectedAt: number; expiresAt: number },
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: RepositoryModel, r: ConnectionRepository): Promise<void> {
    const connection = connectionOf(cid(m, this.i), this.u === null ? null : uid(m, this.u), this.times);
    await r.save(connection);
    m.records.set(connection.connectionId, connection);
  }
  toString(): string {
    return `save(k${this.i}, ${this.u === null ? 'anonymous' : `u${this.u}`})`;
  }
}

class RemoveCommand implements RepositoryCommand {
  constructor(readonly i: number) {}
  check(): boolean {
    return true;
  }
  async run(m: RepositoryModel, r: ConnectionRepository): Promise<void> {
    await r.remove(cid(m, this.i));
    m.records.delete(cid(m, this.i));
  }
  toString(): string {
    return `remove(k${this.i})`;
  }
}

class FindCommand implements RepositoryCommand {
  constructor(readonly i: number) {}
  check(): boolean {
    return true;
  }
  async run(m: RepositoryModel, r: ConnectionRepository): Promise<void> {
    assert.deepEqual(await r.find(cid(m, this.i)), m.records.get(cid(m, this.i)) ?? null);
  }
  toString(): string {
    return `find(k${this.i})`;
  }
}

class AssignUserCommand implements RepositoryCommand {
  constructor(
    readonly i: number,
    readonly u: number,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: RepositoryModel, r: ConnectionRepository): Promise<void> {
    const outcome = await r.assignUser(cid(m, this.i), uid(m, this.u));
    const current = m.records.get(cid(m, this.i));
    if (current === undefined) {
      assert.equal(outcome.ok ? null : outcome.error.code, 'CONNECTION_NOT_FOUND');
    } else if (current.userId !== null && current.userId !== uid(m, this.u)) {
      assert.equal(outcome.ok ? null : outcome.error.code, 'USER_CONFLICT');
    } else {
      const assigned = { ...current, userId: uid(m, this.u) };
      assert.deepEqual(outcome, { ok: true, value: assigned });
      m.records.set(assigned.connectionId, assigned);
    }
  }
  toString(): string {
    return `assignUser(k${this.i}, u${this.u})`;
  }
}

class FindByUserCommand implements RepositoryCommand {
  constructor(
    readonly u: number,
    readonly limit: number,
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: RepositoryModel, r: ConnectionRepository): Promise<void> {
    const pages = await walkUser(r, uid(m, this.u), this.limit);
    const expected = [...m.records.values()].filter((c) => c.userId === uid(m, this.u));
    assert.deepEqual(pages.flatMap((page) => page.connections).sort(byId), expected.sort(byId));
  }
  toString(): string {
    return `findByUser(u${this.u}, limit ${this.limit})`;
  }
}

const repositoryCommands: fc.Arbitrary<RepositoryCommand>[] = [
  fc
    .tuple(slot, fc.option(userSlot, { nil: null }), lifetime)
    .map(([i, u, times]) => new SaveCommand(i, u, times)),
  slot.map((i) => new RemoveCommand(i)),
  slot.map((i) => new FindCommand(i)),
  fc.tuple(slot, userSlot).map(([i, u]) => new AssignUserCommand(i, u)),
  fc.tuple(userSlot, fc.integer({ min: 1, max: 3 })).map(([u, limit]) => new FindByUserCommand(u, limit)),
];
