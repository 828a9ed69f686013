// Model-based tests of @pushline/client's state machine (issue 13): random drops, refusals, slow
// resumes, gaps, duplicates, partitions, half-open sockets, closing advice and the 2-hour cap, on a
// fake clock against a fake server. Throughout, the app sees every notification exactly once in seq
// order (or a reset), and the client never holds two sockets for longer than the make-before-break
// overlap (connectTimeoutMs); after the faults end it catches up with the stream.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientSimulation, type SimulationOptions } from '../../bench/support/client-simulation.js';
import { soakCount, soakTimeout } from '../support/soak.js';

type Model = Record<string, never>;

abstract class SimCommand implements fc.Command<Model, ClientSimulation> {
  check(): boolean {
    return true;
  }
  abstract run(model: Model, sim: ClientSimulation): void;
  abstract toString(): string;
}

class Publish extends SimCommand {
  constructor(
    readonly count: number,
    readonly lossRate: number,
    readonly duplicateRate: number,
  ) {
    super();
  }
  run(_: Model, sim: ClientSimulation): void {
    for (let i = 0; i < this.count; i++) {
      sim.publish(this.lossRate, this.duplicateRate);
      sim.advance(5);
    }
  }
  toString(): string {
    return `publish(${this.count}, loss ${this.lossRate}, dup ${this.duplicateRate})`;
  }
}

class Advance extends SimCommand {
  constructor(readonly ms: number) {
    super();
  }
  run(_: Model, sim: ClientSimulation): void {
    sim.advance(this.ms);
  }
  toString(): string {
    return `advance(${this.ms})`;
  }
}

class Drop extends SimCommand {
  constructor(readonly advice: { reason: string; reconnect: string; afterMs?: number } | undefined) {
    super();
  }
  run(_: Model, sim: ClientSimulation): void {
    sim.dropFromServer(this.advice);
  }
  toString(): string {
    return `drop(${JSON.stringify(this.advice)})`;
  }
}

class Fault extends SimCommand {
  constructor(
    readonly kind:
      | 'halfOpen'
      | 'partition'
      | 'refuse'
      | 'failTokens'
      | 'slowResume'
      | 'fastResume'
      | 'resetStream'
      | 'wake',
    readonly amount: number,
  ) {
    super();
  }
  run(_: Model, sim: ClientSimulation): void {
    switch (this.kind) {
      case 'halfOpen':
        sim.halfOpen();
        break;
      case 'partition':
        sim.partition(this.amount);
        break;
      case 'refuse':
        sim.refuseAuth = this.amount;
        break;
      case 'failTokens':
        sim.failTokens = this.amount;
        break;
      case 'slowResume':
        sim.resumeLatencyMs = this.amount;
        break;
      case 'fastResume':
        sim.resumeLatencyMs = 20;
        break;
      case 'resetStream':
        sim.resetStream();
        break;
      case 'wake':
        sim.step({ type: 'wake' });
        break;
    }
  }
  toString(): string {
    return `${this.kind}(${this.amount})`;
  }
}

const commands = fc.commands(
  [
    fc
      .tuple(fc.integer({ min: 1, max: 8 }), fc.constantFrom(0, 0, 0.2, 1), fc.constantFrom(0, 0.3))
      .map(([count, loss, duplicate]) => new Publish(count, loss, duplicate)),
    fc.constantFrom(5, 300, 1_500, 8_000, 30_000, 400_000, 1_800_000).map((ms) => new Advance(ms)),
    fc
      .option(
        fc.constantFrom(
          { reason: 'SESSION_MAX', reconnect: 'now' },
          { reason: 'SHUTDOWN', reconnect: 'later', afterMs: 2_000 },
          { reason: 'AUTHORIZE_TIMEOUT', reconnect: 'new-token' },
          { reason: 'RATE_LIMITED', reconnect: 'later', afterMs: 5_000 },
          { reason: 'TOKEN_EXPIRED', reconnect: 'new-token' },
        ),
        { nil: undefined },
      )
      .map((advice) => new Drop(advice)),
    fc
      .tuple(
        fc.constantFrom<Fault['kind'][]>(
          'halfOpen',
          'partition',
          'refuse',
          'failTokens',
          'slowResume',
          'fastResume',
          'resetStream',
          'wake',
        ),
        fc.constantFrom(1, 2, 5, 3_000, 9_000, 12_000, 60_000),
      )
      .map(
        ([kind, amount]) =>
          new Fault(kind, kind === 'refuse' || kind === 'failTokens' ? Math.min(amount, 2) : amount),
      ),
  ],
  { maxCommands: 40 },
);

const setups: fc.Arbitrary<SimulationOptions> = fc.record({
  seed: fc.integer(),
  authorizeAt: fc.constantFrom('connect' as const, 'in-band' as const),
  renewableToken: fc.boolean(),
  retention: fc.integer({ min: 3, max: 60 }),
  maxReplay: fc.integer({ min: 2, max: 40 }),
  tokenLifetimeMs: fc.constantFrom(undefined, 900_000),
});

/** The properties every run must end with, after the faults are over. */
function expectCaughtUp(sim: ClientSimulation): void {
  sim.heal();
  if (sim.machine.state === 'closed') {
    // Only a token the client cannot renew, or refusals past maxAuthFailures, may stop it.
    expect(sim.errors.some((code) => ['UNAUTHORIZED', 'TOKEN_FAILED', 'TOKEN_EXPIRED'].includes(code))).toBe(
      true,
    );
    return;
  }
  expect(sim.machine.state).toBe('ready');
  expect(sim.appPosition()).toEqual({ epoch: sim.epoch, seq: sim.top });
  expect(sim.held.size).toBe(1);
}

describe('ConnectionMachine under random faults', () => {
  it(
    'hands the app every notification once, in seq order (or a reset), never holds two sockets past the overlap bound, and catches up once the faults end',
    () => {
      fc.assert(
        fc.property(setups, commands, (setup, cmds) => {
          const sim = new ClientSimulation(setup);
          // Some runs publish while the first resume (without a position) is in flight.
          sim.advance(setup.seed % 3 === 0 ? 45 : 1_000);
          fc.modelRun(() => ({ model: {}, real: sim }), cmds);
          expectCaughtUp(sim);
        }),
        { numRuns: soakCount(150, 1_500) },
      );
    },
    soakTimeout(60_000, 600_000),
  );

  it(
    'replaces the socket before the 2-hour cap, make-before-break, over hours of a healthy network: no cap or idle close, nothing lost or doubled',
    () => {
      fc.assert(
        fc.property(setups, fc.integer({ min: 3, max: 8 }), (setup, hours) => {
          const sim = new ClientSimulation({ ...setup, retention: 1_000, maxReplay: 1_000 });
          for (let minute = 0; minute < hours * 60; minute++) {
            if (minute % 7 === 0) sim.publish(0, 0);
            sim.advance(60_000);
          }
          expect(sim.capClosesOfLiveSockets).toBe(0);
          expect(sim.idleClosesOfLiveSockets).toBe(0);
          expect(sim.seen.filter((entry) => entry.kind === 'reset')).toEqual([]);
          expect(sim.appPosition()).toEqual({ epoch: sim.epoch, seq: sim.top });
          expect(sim.maxOverlapMs).toBeLessThanOrEqual(sim.settings.connectTimeoutMs);
          expect(sim.states.filter((state) => state === 'reconnecting')).toEqual([]);
          // One socket per 1 h 45 min to 1 h 55 min (the default window before the cap).
          expect(sim.opens).toBeGreaterThanOrEqual(1 + Math.floor((hours * 60) / 115));
          expect(sim.opens).toBeLessThanOrEqual(1 + Math.ceil((hours * 60) / 105));
        }),
        { numRuns: soakCount(30, 300) },
      );
    },
    soakTimeout(60_000, 600_000),
  );
});
