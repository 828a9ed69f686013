// Property: whatever the order of fresh tokens, foreign tokens and clock moves, a socket is
// open exactly while the clock is before the expiry of the last token of its own user, and
// it is told (`closing`, once) before it is closed.
import { InMemoryDeadlineScheduler } from '@pushline/adapters/memory';
import { Authorize, EnforceTokenExpiry } from '@pushline/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROPERTY_PARAMETERS } from '../support/fast-check.js';
import { createCore } from './fixture.js';

const MINUTE = 60_000;

type Step =
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'renew'; readonly lifetimeMs: number }
  | { readonly kind: 'intrude'; readonly lifetimeMs: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 20 * MINUTE }) }),
  fc.record({ kind: fc.constant('renew' as const), lifetimeMs: fc.integer({ min: 1, max: 40 * MINUTE }) }),
  fc.record({ kind: fc.constant('intrude' as const), lifetimeMs: fc.integer({ min: 1, max: 40 * MINUTE }) }),
);

describe('token expiry, under any sequence of renewals and clock moves', () => {
  it('keeps a socket open exactly until the expiry of its last own token, and tells it once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 * MINUTE }),
        fc.array(step, { maxLength: 25 }),
        async (first, steps) => {
          const core = createCore();
          const deadlines = new InMemoryDeadlineScheduler(core.clock);
          const authorize = new Authorize(core.repository, core.verifier, { deadlines, clock: core.clock });
          const enforce = new EnforceTokenExpiry(core.repository, core.pusher, core.clock, deadlines);
          const runDue = async () => {
            for (const deadline of deadlines.due()) {
              if (deadline.kind === 'token-expiry') await enforce.execute(deadline);
            }
          };
          core.pusher.open('c1');
          await core.connect.execute({ connectionId: 'c1' });
          await authorize.execute({
            connectionId: 'c1',
            token: core.verifier.issue('u1', { lifetimeMs: first }),
          });
          let expiresAt = core.clock.now() + first;
          for (const next of steps) {
            const open = core.pusher.isOpen('c1');
            if (next.kind === 'advance') core.clock.advance(next.ms);
            else if (open) {
              const user = next.kind === 'renew' ? 'u1' : 'intruder';
              const token = core.verifier.issue(user, { lifetimeMs: next.lifetimeMs });
              const outcome = await authorize.execute({ connectionId: 'c1', token });
              // Only a token of the socket's own user is accepted.
              if (outcome.ok !== (next.kind === 'renew'))
                throw new Error(`${next.kind}: ${JSON.stringify(outcome)}`);
              if (outcome.ok) expiresAt = outcome.value.expiresAt;
            }
            await runDue();
            expect(core.pusher.isOpen('c1')).toBe(core.clock.now() < expiresAt);
          }
          const closings = core.pusher.framesOf('c1').filter((frame) => frame.includes('"closing"'));
          expect(closings).toEqual(
            core.pusher.isOpen('c1')
              ? []
              : ['{"type":"closing","reason":"TOKEN_EXPIRED","reconnect":"new-token"}'],
          );
        },
      ),
      PROPERTY_PARAMETERS,
    );
  });
});
