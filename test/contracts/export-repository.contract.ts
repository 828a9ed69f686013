// The ExportRepository contract: every guarantee of the port's TSDoc, as cases any adapter must
// pass. Each case uses export ids of its own, so the cases share one repository.
import { randomBytes } from 'node:crypto';
import type { Export, ExportRepository } from '@pushline/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userIdArbitrary } from '../support/core-arbitraries.js';

/** What an adapter's test file gives the contract; built once for the whole describe block. */
export interface ExportRepositoryHarness {
  readonly repository: ExportRepository;
  /**
   * A repository of the same adapter whose store cannot be reached (a missing table), to show
   * faults are thrown; `null` for an adapter that has no store to lose (in memory).
   */
  readonly unreachable: ExportRepository | null;
  dispose(): Promise<void>;
}

const PROPERTY_RUNS = 25;
const NOW = 1_700_000_000_000;

/** An export id no other case uses. */
function freshId(label: string): string {
  return `${label}-${randomBytes(6).toString('hex')}`;
}

function sample(exportId: string, overrides: Partial<Export> = {}): Export {
  return {
    exportId,
    ownerId: 'u1',
    createdAt: NOW,
    expiresAt: NOW + 3_600_000,
    contentType: 'application/json',
    content: '{"rows":[1,2,3]}',
    ...overrides,
  };
}

/** Any export an adapter must store exactly: expiry in whole seconds (see the port). */
const exportArbitrary: fc.Arbitrary<Omit<Export, 'exportId'>> = fc
  .record({
    ownerId: userIdArbitrary,
    createdAt: fc.integer({ min: 1_577_836_800_000, max: 2_000_000_000_000 }),
    lifetimeSeconds: fc.integer({ min: 1, max: 30 * 24 * 3600 }),
    contentType: fc.constantFrom('application/json', 'text/csv; charset=utf-8', 'text/plain'),
    content: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 300 }),
  })
  .map(({ lifetimeSeconds, createdAt, ...rest }) => ({
    ...rest,
    createdAt,
    expiresAt: (Math.ceil(createdAt / 1000) + lifetimeSeconds) * 1000,
  }));

/** Defines the contract's cases for the repository `make` builds. */
export function describeExportRepositoryContract(
  name: string,
  make: () => Promise<ExportRepositoryHarness>,
  options: { readonly hasStore: boolean },
): void {
  describe(`${name} keeps the ExportRepository contract`, () => {
    let harness: ExportRepositoryHarness | undefined;
    const repository = (): ExportRepository => {
      if (harness === undefined) throw new Error('the harness was not built');
      return harness.repository;
    };

    beforeAll(async () => {
      harness = await make();
    });

    afterAll(async () => {
      await harness?.dispose();
    });

    it('answers null for an export it never saved', async () => {
      expect(await repository().find(freshId('never'))).toBeNull();
    });

    it('finds any export exactly as it was saved', async () => {
      await fc.assert(
        fc.asyncProperty(exportArbitrary, async (fields) => {
          const value = { exportId: freshId('any'), ...fields };
          await repository().save(value);
          expect(await repository().find(value.exportId)).toEqual(value);
        }),
        { numRuns: PROPERTY_RUNS },
      );
    });

    it('saves idempotently: the same export twice is found once, unchanged', async () => {
      const value = sample(freshId('twice'));
      await repository().save(value);
      await repository().save(value);
      expect(await repository().find(value.exportId)).toEqual(value);
    });

    it('upserts: a second save with the same id replaces every field', async () => {
      const exportId = freshId('upsert');
      await repository().save(sample(exportId));
      const replacement = sample(exportId, {
        ownerId: 'u2',
        createdAt: NOW + 5_000,
        expiresAt: NOW + 7_200_000,
        contentType: 'text/csv',
        content: 'a,b\n1,2\n',
      });
      await repository().save(replacement);
      expect(await repository().find(exportId)).toEqual(replacement);
    });

    it('keeps exports apart: saving one changes no other', async () => {
      const [a, b] = [sample(freshId('a'), { ownerId: 'ua' }), sample(freshId('b'), { ownerId: 'ub' })];
      await repository().save(a);
      await repository().save(b);
      await repository().save({ ...a, content: '{}' });
      expect(await repository().find(b.exportId)).toEqual(b);
      expect(await repository().find(a.exportId)).toEqual({ ...a, content: '{}' });
    });

    it('keeps an expiry with milliseconds to the second at least, rounded up: never earlier', async () => {
      const value = sample(freshId('ms'), { expiresAt: NOW + 60_001 });
      await repository().save(value);
      const found = await repository().find(value.exportId);
      expect(found).toEqual({ ...value, expiresAt: found?.expiresAt });
      expect(found?.expiresAt).toBeGreaterThanOrEqual(value.expiresAt);
      expect(found?.expiresAt).toBeLessThanOrEqual(NOW + 61_000);
    });

    // An adapter with no store to lose (in memory) has no fault to throw.
    if (options.hasStore) {
      it('throws faults of its store from save and find, rather than answering', async () => {
        const unreachable = harness?.unreachable ?? null;
        expect(unreachable).not.toBeNull();
        await expect(unreachable?.save(sample(freshId('fault')))).rejects.toThrow();
        await expect(unreachable?.find(freshId('fault'))).rejects.toThrow();
      });
    }
  });
}
