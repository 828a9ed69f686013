// The NotificationStream contract: every guarantee of the port's TSDoc, as cases any adapter
// must pass, and one model-based case (fc.commands against a Map of users' id lists). Every case
// uses users of a fresh scope, so one store (one DynamoDB table) serves the whole run.
import type { ManualClock } from '@pushline/adapters/memory';
import type { NotificationStream, StreamPosition, UserId } from '@pushline/core';
import fc from 'fast-check';
import { afterAll, assert, beforeAll, describe, expect, it } from 'vitest';
import { freshScope, messageData } from '../support/arbitraries.js';
import { soakCount, soakTimeout } from '../support/soak.js';

/** What an adapter's test file gives the contract: a stream whose clock the cases move. */
export interface NotificationStreamHarness {
  readonly stream: NotificationStream;
  readonly clock: ManualClock;
  /** The stream's retention, in ms (short, so expiry is testable). */
  readonly retentionMs: number;
  dispose(): Promise<void>;
}

const MODEL_RUNS = soakCount(15, 1_000);

/** Defines the contract's cases for the stream `make` builds (once, for the whole describe block). */
export function describeNotificationStreamContract(
  name: string,
  make: () => Promise<NotificationStreamHarness>,
): void {
  describe(`${name}: the NotificationStream contract`, () => {
    let harness: NotificationStreamHarness;
    const stream = (): NotificationStream => harness.stream;

    beforeAll(async () => {
      harness = await make();
    });
    afterAll(async () => {
      await harness.dispose();
    });

    it('gives a user consecutive positions from 1 under one epoch', async () => {
      const user = freshScope().userId('u');
      const first = await stream().append(user, { id: 'a', data: 1 });
      const second = await stream().append(user, { id: 'b', data: 2 });
      expect(first).toEqual({ epoch: first.epoch, seq: 1, duplicate: false });
      expect(second).toEqual({ epoch: first.epoch, seq: 2, duplicate: false });
      expect(first.epoch.length).toBeGreaterThan(0);
    });

    it('answers an id it holds with the stored position, and stores it once', async () => {
      const user = freshScope().userId('u');
      const first = await stream().append(user, { id: 'same', data: { n: 1 } });
      await stream().append(user, { id: 'other', data: { n: 2 } });
      const again = await stream().append(user, { id: 'same', data: { n: 1 } });
      expect(again).toEqual({ epoch: first.epoch, seq: 1, duplicate: true });
      const read = await stream().readSince(user, { epoch: first.epoch, seq: 0 });
      expect(read).toEqual({
        recovered: true,
        epoch: first.epoch,
        seq: 2,
        notifications: [
          { id: 'same', seq: 1, data: { n: 1 } },
          { id: 'other', seq: 2, data: { n: 2 } },
        ],
      });
    });

    it('gives concurrent appends to one user distinct consecutive positions', async () => {
      const user = freshScope().userId('u');
      const appended = await Promise.all(
        ['a', 'b', 'c', 'd', 'e'].map((id) => stream().append(user, { id, data: id })),
      );
      expect(appended.map((a) => a.seq).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5]);
      const read = await stream().readSince(user, { epoch: appended[0]?.epoch ?? '', seq: 0 });
      expect(read.recovered && read.notifications.map((n) => n.seq)).toEqual([1, 2, 3, 4, 5]);
    });

    it('answers a null position with the current one and no notifications', async () => {
      const user = freshScope().userId('u');
      const empty = await stream().readSince(user, null);
      expect(empty).toEqual({ recovered: true, epoch: empty.epoch, seq: 0, notifications: [] });
      const appended = await stream().append(user, { id: 'x', data: null });
      expect(await stream().readSince(user, null)).toEqual({
        recovered: true,
        epoch: appended.epoch,
        seq: 1,
        notifications: [],
      });
    });

    it('recovers, from the position of a user who had nothing yet, everything appended since', async () => {
      const user = freshScope().userId('u');
      const before = await stream().readSince(user, null);
      await stream().append(user, { id: 'one', data: 'first' });
      const two = await stream().append(user, { id: 'two', data: 'second' });
      expect(await stream().readSince(user, { epoch: before.epoch, seq: before.seq })).toEqual({
        recovered: true,
        epoch: two.epoch,
        seq: 2,
        notifications: [
          { id: 'one', seq: 1, data: 'first' },
          { id: 'two', seq: 2, data: 'second' },
        ],
      });
    });

    it('keeps any JSON data exactly', async () => {
      await fc.assert(
        fc.asyncProperty(messageData, async (data) => {
          const user = freshScope().userId('d');
          const { epoch } = await stream().append(user, { id: 'n', data });
          const read = await stream().readSince(user, { epoch, seq: 0 });
          expect(read).toEqual({
            recovered: true,
            epoch,
            seq: 1,
            notifications: [{ id: 'n', seq: 1, data }],
          });
        }),
        { numRuns: 20 },
      );
    });

    it('says STREAM_RESET for another epoch or a position beyond the top', async () => {
      const user = freshScope().userId('u');
      const { epoch } = await stream().append(user, { id: 'a', data: 1 });
      expect(await stream().readSince(user, { epoch: `${epoch}x`, seq: 0 })).toEqual({
        recovered: false,
        epoch,
        seq: 1,
        reason: 'STREAM_RESET',
      });
      expect(await stream().readSince(user, { epoch, seq: 2 })).toEqual({
        recovered: false,
        epoch,
        seq: 1,
        reason: 'STREAM_RESET',
      });
    });

    it('says TOO_MANY past the limit and recovers within it', async () => {
      const user = freshScope().userId('u');
      let epoch = '';
      for (const id of ['1', '2', '3', '4', '5'])
        epoch = (await stream().append(user, { id, data: id })).epoch;
      expect(await stream().readSince(user, { epoch, seq: 1 }, { limit: 3 })).toEqual({
        recovered: false,
        epoch,
        seq: 5,
        reason: 'TOO_MANY',
      });
      const read = await stream().readSince(user, { epoch, seq: 2 }, { limit: 3 });
      expect(read.recovered && read.notifications.map((n) => n.id)).toEqual(['3', '4', '5']);
    });

    it('says TOO_OLD for notifications past retention, and still knows the position', async () => {
      const user = freshScope().userId('u');
      const { epoch } = await stream().append(user, { id: 'old', data: 1 });
      harness.clock.advance(harness.retentionMs + 1_000);
      const fresh = await stream().append(user, { id: 'fresh', data: 2 });
      expect(fresh).toEqual({ epoch, seq: 2, duplicate: false });
      expect(await stream().readSince(user, { epoch, seq: 0 })).toEqual({
        recovered: false,
        epoch,
        seq: 2,
        reason: 'TOO_OLD',
      });
      const read = await stream().readSince(user, { epoch, seq: 1 });
      expect(read.recovered && read.notifications.map((n) => n.id)).toEqual(['fresh']);
    });

    it("never returns another user's notifications", async () => {
      const scope = freshScope();
      const mine = scope.userId('mine');
      const theirs = scope.userId('theirs');
      await stream().append(theirs, { id: 'secret', data: 'theirs' });
      const { epoch } = await stream().append(mine, { id: 'own', data: 'mine' });
      const read = await stream().readSince(mine, { epoch, seq: 0 });
      expect(read.recovered && read.notifications).toEqual([{ id: 'own', seq: 1, data: 'mine' }]);
    });

    it(
      'behaves like a model of per-user id lists (fc.commands)',
      async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.commands(
              [
                fc
                  .record({ user: fc.nat(2), id: fc.nat(6) })
                  .map(({ user, id }) => new AppendCommand(user, `id-${id}`)),
                fc
                  .record({ user: fc.nat(2), back: fc.nat(5) })
                  .map(({ user, back }) => new ReadCommand(user, back)),
              ],
              { size: '-1' },
            ),
            async (commands) => {
              const scope = freshScope();
              const real: Real = { stream: stream(), users: [0, 1, 2].map((i) => scope.userId(String(i))) };
              const model: Model = { ids: [[], [], []], epochs: [null, null, null] };
              await fc.asyncModelRun(() => ({ model, real }), commands);
            },
          ),
          { numRuns: MODEL_RUNS },
        );
      },
      soakTimeout(60_000, 1_800_000),
    );
  });
}

/** Each user's appended ids, in order: position k holds ids[k - 1]. */
interface Model {
  readonly ids: string[][];
  readonly epochs: (string | null)[];
}

interface Real {
  readonly stream: NotificationStream;
  readonly users: readonly UserId[];
}

const LIMIT = 4;

class AppendCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly user: number,
    readonly id: string,
  ) {}
  check(): boolean {
    return true;
  }
  async run(model: Model, real: Real): Promise<void> {
    const ids = model.ids[this.user] ?? [];
    const appended = await real.stream.append(real.users[this.user] ?? '', { id: this.id, data: this.id });
    const known = ids.indexOf(this.id);
    assert.strictEqual(appended.seq, known === -1 ? ids.length + 1 : known + 1);
    assert.strictEqual(appended.duplicate, known !== -1);
    const epoch = model.epochs[this.user] ?? null;
    if (epoch !== null) assert.strictEqual(appended.epoch, epoch);
    model.epochs[this.user] = appended.epoch;
    if (known === -1) ids.push(this.id);
  }
  toString(): string {
    return `append(${this.user}, ${this.id})`;
  }
}

class ReadCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly user: number,
    readonly back: number,
  ) {}
  check(model: Model): boolean {
    return model.epochs[this.user] !== null;
  }
  async run(model: Model, real: Real): Promise<void> {
    const ids = model.ids[this.user] ?? [];
    const since: StreamPosition = {
      epoch: model.epochs[this.user] ?? '',
      seq: Math.max(0, ids.length - this.back),
    };
    const read = await real.stream.readSince(real.users[this.user] ?? '', since, { limit: LIMIT });
    const missed = ids.slice(since.seq);
    if (missed.length > LIMIT) {
      assert.deepStrictEqual(read, {
        recovered: false,
        epoch: since.epoch,
        seq: ids.length,
        reason: 'TOO_MANY',
      });
      return;
    }
    assert.deepStrictEqual(read, {
      recovered: true,
      epoch: since.epoch,
      seq: ids.length,
      notifications: missed.map((id, i) => ({ id, seq: since.seq + i + 1, data: id })),
    });
  }
  toString(): string {
    return `read(${this.user}, top-${this.back})`;
  }
}
