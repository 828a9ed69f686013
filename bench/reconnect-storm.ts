// Reconnect storm (issue 13): 10,000 simulated clients, all connected, lose their sockets at the
// same instant (a deploy, a network blip). Measured on a fake clock with @pushline/client's real
// state machine, beside the peers' reconnect delays modelled from their sources (their client code and docs),
// in the same run. Two servers: one that accepts every handshake, and one with API Gateway's
// default quota of 500 new connections a second (a handshake over it fails, as a 429 does).
// Targets: the busiest second holds ≤ 25 % of the reconnects, and no client waits more than 25 s
// (accepting server); against the quota too, no client waits more than 25 s. Run: `pnpm bench:storm` (about ten seconds).
import { ConnectionMachine, type Command } from '@pushline/client';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SETTINGS, EventQueue } from './support/client-simulation.js';
import { seededRandom } from './support/random.js';

const LATENCY_MS = 50;

export interface StormFigures {
  strategy: string;
  server: string;
  clients: number;
  /** Share of all successful reconnects that fell in the busiest second. */
  busiestSecondShare: number;
  /** Handshakes the server saw in its busiest second. */
  busiestSecondAttempts: number;
  /** Longest time from the drop to being connected again, ms. */
  maxWaitMs: number;
  medianWaitMs: number;
  attempts: number;
}

/** A server that accepts every handshake, or at most `perSecond` in each second. */
function makeServer(perSecond: number) {
  const buckets = new Map<number, number>();
  const attemptsPerSecond = new Map<number, number>();
  return {
    attemptsPerSecond,
    accepts(now: number): boolean {
      const second = Math.floor(now / 1000);
      attemptsPerSecond.set(second, (attemptsPerSecond.get(second) ?? 0) + 1);
      const used = buckets.get(second) ?? 0;
      if (used >= perSecond) return false;
      buckets.set(second, used + 1);
      return true;
    },
  };
}

function figures(
  strategy: string,
  server: string,
  waits: number[],
  attemptsPerSecond: Map<number, number>,
  dropAt: number,
): StormFigures {
  const perSecond = new Map<number, number>();
  for (const wait of waits) {
    const second = Math.floor((dropAt + wait) / 1000);
    perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
  }
  const sorted = [...waits].sort((a, b) => a - b);
  let attempts = 0;
  for (const count of attemptsPerSecond.values()) attempts += count;
  return {
    strategy,
    server,
    clients: waits.length,
    busiestSecondShare: Math.max(...perSecond.values()) / waits.length,
    busiestSecondAttempts: Math.max(...attemptsPerSecond.values()),
    maxWaitMs: sorted.at(-1) ?? 0,
    medianWaitMs: sorted[Math.floor(sorted.length / 2)] ?? 0,
    attempts,
  };
}

/** @pushline/client's own state machine, every client with its own random stream. */
export function stormPushline(clients: number, perSecond: number, seed = 1): StormFigures {
  const events = new EventQueue();
  const server = makeServer(perSecond);
  const dropAt = 60_000;
  let now = 0;
  const waits: number[] = [];
  const machines: ConnectionMachine[] = [];
  const live = new Map<number, number>();
  const dropped = new Set<number>();
  const run = (index: number, commands: Command[]) => {
    for (const command of commands) {
      if (command.type === 'open') {
        const socket = command.socket;
        events.push(now + LATENCY_MS, () => {
          const accepted = now < dropAt || server.accepts(now);
          step(index, accepted ? { type: 'opened', socket } : { type: 'closed', socket });
        });
      } else if (command.type === 'send') {
        const frame = JSON.parse(command.data) as { action: string; requestId: string };
        if (frame.action === 'resume') {
          const socket = command.socket;
          events.push(now + LATENCY_MS, () => {
            live.set(index, socket);
            const reply = {
              type: 'resumed',
              epoch: 'e1',
              seq: 0,
              recovered: true,
              notifications: [],
              requestId: frame.requestId,
            };
            step(index, { type: 'message', socket, data: JSON.stringify(reply) });
          });
        }
      } else if (command.type === 'state' && command.state === 'ready' && dropped.has(index)) {
        dropped.delete(index);
        waits.push(now - dropAt);
      }
    }
  };
  // One wake-up per machine at its deadline; a stale one (the deadline moved) does nothing.
  const wakeAt = new Map<number, number>();
  const until = dropAt + 600_000;
  const step = (index: number, event: Parameters<ConnectionMachine['step']>[1]) => {
    const machine = machines[index]!;
    run(index, machine.step(now, event));
    const at = machine.deadline();
    if (at <= until && wakeAt.get(index) !== at) {
      wakeAt.set(index, at);
      events.push(at, () => {
        if (wakeAt.get(index) === at) {
          wakeAt.delete(index);
          step(index, { type: 'tick' });
        }
      });
    }
  };
  for (let index = 0; index < clients; index++) {
    machines.push(
      new ConnectionMachine(
        {
          ...DEFAULT_SETTINGS,
          url: 'wss://storm.example/production',
          authorizeAt: 'connect',
          renewableToken: false,
          random: seededRandom(seed * 1_000_003 + index),
        },
        'token',
      ),
    );
    // Connections spread over the first 30 s, as after an earlier reconnect.
    events.push((index / clients) * 30_000, () => {
      step(index, { type: 'start' });
    });
  }
  events.push(dropAt, () => {
    for (let index = 0; index < clients; index++) {
      dropped.add(index);
      step(index, { type: 'closed', socket: live.get(index) ?? -1 });
    }
  });
  while (events.size > 0 && events.peek() <= until && waits.length < clients) {
    const next = events.pop()!;
    now = next.at;
    next.run();
  }
  return figures(
    '@pushline/client',
    perSecond === Infinity ? 'accepts all' : `${perSecond}/s quota`,
    waits,
    server.attemptsPerSecond,
    dropAt,
  );
}

/** A peer's reconnect delay before attempt `n` (0-based), from its source. */
export const PEER_DELAYS = new Map<string, (attempt: number, random: () => number) => number>([
  // centrifuge-js: backoff(step, 500, 20000) = min(max, min + randomInt(0, min(max, min·2^step))).
  [
    'centrifuge-js 5.8',
    (n, random) => Math.min(20_000, 500 + Math.floor(random() * Math.min(20_000, 500 * 2 ** n))),
  ],
  // socket.io-client: 1 s · 2^n, ±50 % (randomizationFactor 0.5), max 5 s.
  ['socket.io-client 4.8', (n, random) => Math.min(5_000, 1_000 * 2 ** n) * (1 + (random() * 2 - 1) * 0.5)],
  // pusher-js: a fixed 1 s.
  ['pusher-js 8.6', () => 1_000],
]);

/** A peer's delays alone: attempt, fail over the quota, wait, attempt again. */
export function stormPeer(name: string, clients: number, perSecond: number, seed = 1): StormFigures {
  const delay = PEER_DELAYS.get(name)!;
  const random = seededRandom(seed);
  const events = new EventQueue();
  const server = makeServer(perSecond);
  const waits: number[] = [];
  const dropAt = 0;
  let now = dropAt;
  const attempt = (n: number) => {
    events.push(now + delay(n, random), () => {
      const at = now + LATENCY_MS;
      if (server.accepts(at)) waits.push(at - dropAt);
      else attempt(n + 1);
    });
  };
  for (let index = 0; index < clients; index++) attempt(0);
  while (events.size > 0) {
    const next = events.pop()!;
    now = next.at;
    next.run();
  }
  return figures(
    name,
    perSecond === Infinity ? 'accepts all' : `${perSecond}/s quota`,
    waits,
    server.attemptsPerSecond,
    dropAt,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const clients = 10_000;
  const rows: StormFigures[] = [];
  for (const perSecond of [Infinity, 500]) {
    rows.push(stormPushline(clients, perSecond));
    for (const name of PEER_DELAYS.keys()) rows.push(stormPeer(name, clients, perSecond));
  }
  console.log(
    'strategy               server           busiest second   attempts in it   median wait   max wait   attempts',
  );
  for (const row of rows)
    console.log(
      `${row.strategy.padEnd(22)} ${row.server.padEnd(16)} ${(row.busiestSecondShare * 100).toFixed(1).padStart(13)} % ${String(row.busiestSecondAttempts).padStart(16)} ${(row.medianWaitMs / 1000).toFixed(1).padStart(11)} s ${(row.maxWaitMs / 1000).toFixed(1).padStart(8)} s ${String(row.attempts).padStart(10)}`,
    );
  const ours = rows[0]!;
  const ok = ours.busiestSecondShare <= 0.25 && ours.maxWaitMs <= 25_000 && ours.clients === clients;
  console.log(
    `@pushline/client, accepting server: ${ok ? 'meets' : 'MISSES'} busiest second ≤ 25 %, max wait ≤ 25 s`,
  );
  const quota = rows.find((row) => row.strategy === ours.strategy && row.server !== ours.server)!;
  const quotaOk = quota.maxWaitMs <= 25_000 && quota.clients === clients;
  console.log(`@pushline/client, ${quota.server}: ${quotaOk ? 'meets' : 'MISSES'} max wait ≤ 25 s`);
  if (!ok || !quotaOk) process.exitCode = 1;
}
