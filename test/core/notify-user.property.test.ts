// NotifyUser's fan-out, for any number of connections and any page size.
import { MAX_QUEUE_BATCH } from '@pushline/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { notificationDataArbitrary, userIdsArbitrary } from '../support/core-arbitraries.js';
import { PROPERTY_PARAMETERS } from '../support/fast-check.js';
import { createCore } from './fixture.js';

// Hundreds of runs per property: more than vitest's default 5 s on a busy machine.
describe('NotifyUser', { timeout: 60_000 }, () => {
  it('enqueues exactly one NotifyConnection per live connection of the user, in batches of at most 10', async () => {
    await fc.assert(
      fc.asyncProperty(
        userIdsArbitrary(1, 4),
        fc.integer({ min: 0, max: 60 }),
        fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 3, maxLength: 3 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 1, max: 25 }),
        fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }),
        notificationDataArbitrary,
        fc.option(fc.constantFrom('n-1', 'export-42'), { nil: undefined }),
        async (users, ownCount, otherCounts, anonymousCount, pageSize, authorizeInBand, data, id) => {
          const core = createCore({ pageSize });
          const [target, ...others] = users as [string, ...string[]];
          const connections = new Map<string, string | null>();
          let next = 0;
          const connect = async (userId: string | null, inBand: boolean) => {
            // Ids are spread so that the user's connections interleave with everybody else's.
            const connectionId = `${(next++ * 7919) % 1000}-${next}`;
            if (userId === null || inBand) {
              await core.connect.execute({ connectionId });
              if (userId !== null)
                await core.authorize.execute({ connectionId, token: core.verifier.issue(userId) });
            } else {
              await core.connect.execute({ connectionId, userId });
            }
            connections.set(connectionId, userId);
          };
          for (let i = 0; i < ownCount; i++) await connect(target, authorizeInBand[i]!);
          for (const [index, other] of others.entries()) {
            for (let i = 0; i < (otherCounts[index] ?? 0); i++) await connect(other, i % 2 === 0);
          }
          for (let i = 0; i < anonymousCount; i++) await connect(null, false);

          const message = id === undefined ? { userId: target, data } : { userId: target, data, id };
          const outcome = await core.notifyUser.execute({ message, messageId: 'sqs-1' });

          const expected = [...connections]
            .filter(([, userId]) => userId === target)
            .map(([connectionId]) => connectionId);
          const notificationId = id ?? 'sqs-1';
          expect(outcome).toEqual({
            ok: true,
            value: {
              notificationId,
              seq: 1,
              epoch: 'E',
              duplicate: false,
              enqueued: expected.length,
              pushed: 0,
              gone: 0,
              refused: 0,
              connecting: 0,
              batches: Math.ceil(expected.length / MAX_QUEUE_BATCH),
              pages: Math.max(1, Math.ceil(expected.length / pageSize)),
              expired: 0,
              malformed: [],
            },
          });
          const batches = core.queue.notifyConnectionBatches;
          expect(batches.every((batch) => batch.length >= 1 && batch.length <= MAX_QUEUE_BATCH)).toBe(true);
          const sent = batches.flat();
          expect(sent.map((m) => m.connectionId).sort()).toEqual(expected.sort());
          expect(new Set(sent.map((m) => m.connectionId)).size).toBe(sent.length);
          for (const m of sent) {
            expect(m).toEqual({ connectionId: m.connectionId, data, id: notificationId, seq: 1, epoch: 'E' });
          }
          expect(core.messageQueue.notifyConnection.accepted).toEqual(sent);
        },
      ),
      PROPERTY_PARAMETERS,
    );
  });
});
