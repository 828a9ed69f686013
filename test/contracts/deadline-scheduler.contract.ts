// The DeadlineScheduler contract: every guarantee of the port's TSDoc, as cases any adapter must
// pass. The harness plays the enforcer (what runs EnforceAuthorizeDeadline): it takes the
// deadlines the transport hands out, each with the scheduler's time at which it was handed out,
// so the cases can check that every scheduled deadline arrives, intact, and never before its time.
import { randomBytes } from 'node:crypto';
import type { AuthorizeDeadline, DeadlineScheduler } from '@pushline/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** One deadline as the enforcer received it. */
export interface HandedOut {
  readonly deadline: AuthorizeDeadline;
  /** The scheduler's clock when the enforcer received it. */
  readonly receivedAt: number;
}

/** What an adapter's test file gives the contract; built once for the whole describe block. */
export interface DeadlineSchedulerHarness {
  readonly scheduler: DeadlineScheduler;
  /** The scheduler's clock, in epoch milliseconds. */
  now(): number;
  /** Lets the scheduler's clock reach `at` (a manual clock is set; a real one is waited for). */
  passUntil(at: number): Promise<void>;
  /**
   * Takes what the transport hands the enforcer: waits until at least `count` deadlines have
   * arrived or `timeoutMs` passed, and returns every one that arrived (each taken once).
   * `count` 0 takes only what is there now.
   */
  take(count: number, timeoutMs: number): Promise<HandedOut[]>;
  /**
   * A scheduler of the same adapter whose transport cannot be reached (a missing queue);
   * `null` for an adapter that has none (in memory).
   */
  readonly unreachable: DeadlineScheduler | null;
  dispose(): Promise<void>;
}

const WAIT_MS = 15_000;
const PROPERTY_RUNS = 10;

/** A connection id in API Gateway's shape that no other case uses. */
function freshConnectionId(): string {
  return `${randomBytes(11).toString('base64url')}=`;
}

/** Connection ids the port accepts: API Gateway's shape, and others a transport may mint. */
const connectionIdArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc.constant(null).map(() => freshConnectionId()),
  fc
    .string({ unit: fc.constantFrom(...'abcXYZ019-_=+/.@'.split('')), minLength: 1, maxLength: 40 })
    .map((id) => `${id}-${randomBytes(3).toString('hex')}`),
);

function expectNeverEarly(handed: readonly HandedOut[]): void {
  for (const { deadline, receivedAt } of handed) expect(receivedAt).toBeGreaterThanOrEqual(deadline.at);
}

/** Defines the contract's cases for the scheduler `make` builds. */
export function describeDeadlineSchedulerContract(
  name: string,
  make: () => Promise<DeadlineSchedulerHarness>,
  options: { readonly hasTransport: boolean },
): void {
  describe(`${name} keeps the DeadlineScheduler contract`, () => {
    let harness: DeadlineSchedulerHarness | undefined;
    const current = (): DeadlineSchedulerHarness => {
      if (harness === undefined) throw new Error('the harness was not built');
      return harness;
    };

    beforeAll(async () => {
      harness = await make();
    });

    afterAll(async () => {
      await harness?.dispose();
    });

    it('hands out a deadline that has already passed, intact, and nothing else', async () => {
      const deadline = { connectionId: freshConnectionId(), at: current().now() - 1_000 };
      await current().scheduler.schedule(deadline);
      const handed = await current().take(1, WAIT_MS);
      expect(handed.map((item) => item.deadline)).toEqual([deadline]);
      expectNeverEarly(handed);
    });

    it('hands out a deadline due now', async () => {
      const deadline = { connectionId: freshConnectionId(), at: current().now() };
      await current().scheduler.schedule(deadline);
      const handed = await current().take(1, WAIT_MS);
      expect(handed.map((item) => item.deadline)).toEqual([deadline]);
      expectNeverEarly(handed);
    });

    it('does not hand out a future deadline before it passes, and does once it has', async () => {
      const deadline = { connectionId: freshConnectionId(), at: current().now() + 1_500 };
      await current().scheduler.schedule(deadline);
      expect(await current().take(0, 0)).toEqual([]);
      await current().passUntil(deadline.at);
      const handed = await current().take(1, WAIT_MS);
      expect(handed.map((item) => item.deadline)).toEqual([deadline]);
      expectNeverEarly(handed);
    });

    it('hands out each of several deadlines at least once, none before its time', async () => {
      const now = current().now();
      const deadlines = [-5_000, -1, 0, 1_000, 1_200].map((offset) => ({
        connectionId: freshConnectionId(),
        at: now + offset,
      }));
      await Promise.all(deadlines.map((deadline) => current().scheduler.schedule(deadline)));
      const early = await current().take(3, WAIT_MS);
      expectNeverEarly(early);
      await current().passUntil(now + 1_200);
      const late = await current().take(deadlines.length - early.length, WAIT_MS);
      expectNeverEarly(late);
      const received = [...early, ...late].map((item) => item.deadline);
      for (const deadline of deadlines) expect(received).toContainEqual(deadline);
      expect(new Set(received.map((deadline) => deadline.connectionId))).toEqual(
        new Set(deadlines.map((deadline) => deadline.connectionId)),
      );
    });

    it('hands out any connection id and time exactly as scheduled', async () => {
      await fc.assert(
        fc.asyncProperty(
          connectionIdArbitrary,
          fc.integer({ min: 0, max: 10 * 365 * 24 * 3_600_000 }),
          async (connectionId, ago) => {
            const deadline = { connectionId, at: current().now() - ago };
            await current().scheduler.schedule(deadline);
            const handed = await current().take(1, WAIT_MS);
            expect(handed.map((item) => item.deadline)).toEqual([deadline]);
          },
        ),
        { numRuns: PROPERTY_RUNS },
      );
    });

    // An adapter with no transport to lose (in memory) has no fault to throw.
    if (options.hasTransport) {
      it('throws when its transport cannot be reached, so the caller can refuse the connection', async () => {
        const unreachable = current().unreachable;
        expect(unreachable).not.toBeNull();
        await expect(
          unreachable?.schedule({ connectionId: freshConnectionId(), at: current().now() }),
        ).rejects.toThrow();
      });
    }
  });
}
