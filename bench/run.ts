// The benchmark runner: `pnpm bench` (every scenario, a few minutes) or `pnpm bench --quick`
// (a subset, under a minute). Add `--profile` to write a CPU profile of the standalone server
// during the round trips and print its hottest functions. Each figure is printed as a ratio
// against its baseline, measured in the same run, with both absolute numbers beside it, and
// every figure is written by name to bench/results.json. `--round-trips` runs only the round
// trips (with the full or quick plan), prints their figures and writes no results.json.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { JoseTokenIssuer } from '@pushline/adapters/jose';
import { measureCapacity } from './capacity.js';
import { type CostRow, directPushBill, dollars, LAMBDA, measureCost, PRICES } from './cost.js';
import { type FanOutFigures, type FanOutTarget, measureFanOut } from './fan-out.js';
import {
  DEV_STACK_FAN_OUT,
  measureDevStack,
  type RunningStack,
  startStack,
  stopStack,
  tokenFor,
} from './dev-stack.js';
import { median, sleep } from './support/clients.js';
import { seededRandom } from './support/random.js';
import { type Profile, summarize } from './support/profile.js';
import {
  type ClosedLoop,
  type Dialect,
  checkSocketIoWithOfficialClient,
  openClosedLoop,
  pushlineDialect,
  rawJsonPongDialect,
  rawWsDialect,
  type RoundTripFigures,
  socketIoDialect,
} from './round-trips.js';
import { BENCH_TOKEN_SECRET } from './servers/child.js';
import { killAll, type ServerProcess, startServerProcess } from './support/processes.js';

const quick = process.argv.includes('--quick');
const profile = process.argv.includes('--profile');
const roundTripsOnly = process.argv.includes('--round-trips');

const PLAN = quick
  ? {
      rounds: 1,
      seconds: 0.75,
      slice: 0.25,
      warmup: 0.25,
      clients: [1, 100, 1_000],
      fanOut: [1, 100, 1_000],
      fanOutReps: 3,
      capacity: 2_000,
      heartbeatSeconds: 1,
      holdSeconds: 1.5,
      costKs: [1, 2, 10, 100],
      gateway: ['0.5', '8'],
      devStack: { singles: 30, fanOut: [{ sockets: 1_000, reps: 1 }] },
    }
  : {
      rounds: 3,
      seconds: 4,
      slice: 0.5,
      warmup: 1,
      clients: [1, 100, 1_000],
      fanOut: [1, 100, 1_000, 10_000],
      fanOutReps: 5,
      capacity: 50_000,
      heartbeatSeconds: 5,
      holdSeconds: 6,
      costKs: [1, 2, 10, 100, 1_000],
      gateway: ['5', '8'],
      devStack: { singles: 300, fanOut: DEV_STACK_FAN_OUT },
    };

/** One figure, by name, with its baseline and the ratio to it. */
interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline: { readonly name: string; readonly value: number } | null;
  /** value / baseline. */
  readonly ratio: number | null;
  /** e.g. `>= 0.9` or `<= 1.2`. */
  readonly target: string | null;
  readonly met: boolean | null;
}

const figures: Figure[] = [];
const details: Record<string, unknown> = {};

function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

function record(
  name: string,
  value: number,
  unit: string,
  baseline: { name: string; value: number } | null = null,
  target: string | null = null,
): void {
  const ratio = baseline === null ? null : value / baseline.value;
  let met: boolean | null = null;
  if (ratio !== null && target !== null) {
    const [op, bound] = target.split(' ');
    met = op === '>=' ? ratio >= Number(bound) : ratio <= Number(bound);
  }
  figures.push({ name, value, unit, baseline, ratio, target, met });
  const against =
    baseline === null || ratio === null
      ? ''
      : `  ${ratio.toFixed(2).padStart(6)}×  vs ${baseline.name} ${fmt(baseline.value)}${
          target === null ? '' : `  (target ${target}: ${met === true ? 'met' : 'MISSED'})`
        }`;
  console.log(`  ${name.padEnd(46)} ${fmt(value).padStart(10)} ${unit.padEnd(8)}${against}`);
}

function machine(): Record<string, unknown> {
  const limit = (flag: string): number =>
    Number(
      execFileSync('/bin/sh', ['-c', `ulimit ${flag}`])
        .toString()
        .trim(),
    );
  return {
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    loadAverage: loadavg().map((n) => Number(n.toFixed(2))),
    openFilesSoft: limit('-Sn'),
    openFilesHard: limit('-Hn'),
  };
}

/** The pause before each round-trip slice. */
const SETTLE_MS = 100;

/** A copy of `items` in a random order (Fisher–Yates). */
function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

async function roundTrips(
  servers: Record<'raw' | 'socketIo' | 'pushline', ServerProcess>,
  tokens: readonly string[],
  localStack: { readonly stack: RunningStack; readonly tokens: readonly string[] },
): Promise<void> {
  const slices = Math.max(1, Math.round((PLAN.rounds * PLAN.seconds) / PLAN.slice));
  console.log(
    `\nRound trips (closed loop; per client count, ${slices} slices of ${PLAN.slice} s per target, the targets taking turns; server CPU in µs per round trip)`,
  );
  type Target = 'raw' | 'rawPong' | 'socketIo' | 'pushline' | 'localStack';
  const dialects: Record<Target, Dialect> = {
    raw: rawWsDialect(servers.raw.url),
    rawPong: rawJsonPongDialect(servers.raw.url),
    socketIo: socketIoDialect(servers.socketIo.url),
    pushline: pushlineDialect(servers.pushline.url, tokens),
    // pnpm dev's stack: the local API Gateway invoking the real ping Lambda handler.
    localStack: { ...pushlineDialect(localStack.stack.wsUrl, localStack.tokens), name: 'local stack' },
  };
  // The dev stack's process is not a ServerProcess: its CPU is not read.
  const cpuOf: Record<Target, ServerProcess | undefined> = {
    raw: servers.raw,
    rawPong: servers.raw,
    socketIo: servers.socketIo,
    pushline: servers.pushline,
    localStack: undefined,
  };
  await checkSocketIoWithOfficialClient(servers.socketIo.httpUrl);
  const results = new Map<string, RoundTripFigures>();
  for (const clients of PLAN.clients) {
    const loops: [string, ClosedLoop][] = [];
    try {
      for (const [key, dialect] of Object.entries(dialects) as [Target, Dialect][]) {
        const server = cpuOf[key];
        loops.push([key, await openClosedLoop(dialect, clients, server && (() => server.cpuMicros()))]);
      }
      for (const [, loop] of loops) await loop.run(PLAN.warmup, false);
      const random = seededRandom(clients);
      for (let slice = 0; slice < slices; slice++) {
        // A new order each slice, so that no target always follows the same one: a server's
        // after-work (V8's concurrent GC after a busy slice, Socket.IO's above all) would
        // otherwise always fall on the same neighbour. A pause lets that work end first.
        for (const [, loop] of shuffled(loops, random)) {
          await sleep(SETTLE_MS);
          await loop.run(PLAN.slice, true);
        }
      }
      for (const [key, loop] of loops) {
        const figures = loop.figures();
        if (figures.wrongReplies > 0) throw new Error(`${key}: ${figures.wrongReplies} wrong replies`);
        results.set(`${key}.${clients}`, figures);
      }
    } finally {
      for (const [, loop] of loops) loop.close();
    }
  }
  const pick = (key: string, read: (f: RoundTripFigures) => number): number => {
    const figures = results.get(key);
    return figures === undefined ? Number.NaN : read(figures);
  };
  details.roundTrips = Object.fromEntries(results);
  for (const clients of PLAN.clients) {
    const rate = (key: string): number => pick(`${key}.${clients}`, (f) => f.roundTripsPerSecond);
    const raw = { name: 'raw ws', value: rate('raw') };
    const socketIo = { name: 'Socket.IO', value: rate('socketIo') };
    console.log(` ${clients} client(s):`);
    record(
      `roundTrips.c${clients}.pushline`,
      rate('pushline'),
      'rt/s',
      raw,
      clients === 1 ? '>= 0.9' : '>= 0.95',
    );
    // The 1.3× target holds where raw ws itself is 1.3× Socket.IO: at one client, the socket's
    // own latency dominates all three, and no server on top of ws can be that much faster.
    const rawOverSocketIo = raw.value / socketIo.value;
    record(
      `roundTrips.c${clients}.pushlineVsSocketIo`,
      rate('pushline'),
      'rt/s',
      socketIo,
      rawOverSocketIo >= 1.3 ? '>= 1.3' : null,
    );
    if (rawOverSocketIo < 1.3)
      console.log(`  (no 1.3× target here: raw ws itself is ${rawOverSocketIo.toFixed(2)}× Socket.IO)`);
    record(`roundTrips.c${clients}.socketIo`, rate('socketIo'), 'rt/s', raw);
    record(`roundTrips.c${clients}.raw`, rate('raw'), 'rt/s');
    // What parsing and serialising alone cost: the floor of any server of a JSON protocol.
    record(`roundTrips.c${clients}.rawPong`, rate('rawPong'), 'rt/s', raw);
    record(`roundTrips.c${clients}.pushlineVsRawPong`, rate('pushline'), 'rt/s', {
      name: 'raw ws JSON pong',
      value: rate('rawPong'),
    });
    record(`roundTrips.c${clients}.localStack`, rate('localStack'), 'rt/s', raw, '>= 0.5');
    const serverCpu = (key: Target): number => pick(`${key}.${clients}`, (f) => f.serverMicrosPerRoundTrip);
    for (const key of ['raw', 'rawPong', 'socketIo', 'pushline'] as const)
      record(
        `roundTrips.c${clients}.${key}.serverUsPerRt`,
        serverCpu(key),
        'µs',
        key === 'raw' ? null : { name: 'raw ws', value: serverCpu('raw') },
      );
    for (const key of ['raw', 'rawPong', 'socketIo', 'pushline', 'localStack'] as const) {
      const p50 = pick(`${key}.${clients}`, (f) => f.p50Ms);
      const p99 = pick(`${key}.${clients}`, (f) => f.p99Ms);
      record(
        `roundTrips.c${clients}.${key}.p50Ms`,
        p50,
        'ms',
        key === 'raw' ? null : { name: 'raw ws', value: pick(`raw.${clients}`, (f) => f.p50Ms) },
      );
      record(
        `roundTrips.c${clients}.${key}.p99Ms`,
        p99,
        'ms',
        key === 'raw' ? null : { name: 'raw ws', value: pick(`raw.${clients}`, (f) => f.p99Ms) },
      );
    }
  }
}

/** The raw ws server's fan-out time by socket count, the baseline of the dev stack's fan-out too. */
const rawFanOutMs = new Map<number, number>();

async function fanOut(raw: ServerProcess, pushline: ServerProcess, issuer: JoseTokenIssuer): Promise<void> {
  console.log(
    `\nFan-out (POST /notify until the user's last socket has the frame; median of ${PLAN.rounds} × ${PLAN.fanOutReps}; 10 sockets of another user must get nothing)`,
  );
  const targets: Record<'raw' | 'pushline', FanOutTarget> = {
    raw: {
      name: 'raw ws',
      httpUrl: raw.httpUrl,
      apiKey: raw.apiKey,
      socketUrl: (user) => Promise.resolve(`${raw.url}?user=${user}`),
    },
    pushline: {
      name: 'Pushline',
      httpUrl: pushline.httpUrl,
      apiKey: pushline.apiKey,
      socketUrl: async (user) => `${pushline.url}?token=${(await issuer.issue(user)).token}`,
    },
  };
  const all: Record<string, unknown> = {};
  for (const sockets of PLAN.fanOut) {
    // Rounds alternate the two servers, so a burst of load from elsewhere hits both alike.
    const runs: Record<'raw' | 'pushline', FanOutFigures[]> = { raw: [], pushline: [] };
    for (let round = 0; round < PLAN.rounds; round++) {
      for (const key of ['raw', 'pushline'] as const) {
        const figures = await measureFanOut(targets[key], sockets, 10, PLAN.fanOutReps);
        if (figures.faults > 0)
          throw new Error(`fan-out to ${sockets} (${key}): ${figures.faults} bad frames`);
        runs[key].push(figures);
      }
    }
    all[sockets] = runs;
    const last = (key: 'raw' | 'pushline'): number => median(runs[key].flatMap((f) => f.lastSocketTimesMs));
    rawFanOutMs.set(sockets, last('raw'));
    console.log(` ${sockets} socket(s), every frame checked:`);
    record(`fanOut.s${sockets}.pushline.lastSocketMs`, last('pushline'), 'ms', {
      name: 'raw ws',
      value: last('raw'),
    });
    record(`fanOut.s${sockets}.pushline.framesPerSecond`, sockets / (last('pushline') / 1000), 'frames/s', {
      name: 'raw ws',
      value: sockets / (last('raw') / 1000),
    });
  }
  details.fanOut = all;
}

async function capacity(issuer: JoseTokenIssuer, limits: Record<string, unknown>): Promise<void> {
  const fdRoom = Math.min(Number(limits.openFilesSoft), Number(limits.openFilesHard)) - 1_000;
  const sockets = Math.min(PLAN.capacity, fdRoom);
  console.log(
    `\nCapacity (${sockets.toLocaleString('en-US')} idle authorized sockets, heartbeat every ${PLAN.heartbeatSeconds} s, held ${PLAN.holdSeconds} s; fresh server each)`,
  );
  if (sockets < PLAN.capacity)
    console.log(
      `  capped at ${sockets} of ${PLAN.capacity}: open files limit ${String(limits.openFilesHard)} per process (one descriptor per socket)`,
    );
  const tokens = await Promise.all(
    Array.from({ length: Math.ceil(sockets / 2) }, (_, i) => issuer.issue(`cap-${i}`).then((t) => t.token)),
  );
  const raw = await startServerProcess('raw-ws', { args: [String(PLAN.heartbeatSeconds * 1000)] });
  let rawFigures;
  try {
    rawFigures = await measureCapacity(
      raw,
      sockets,
      () => `${raw.url}?user=cap-${Math.random().toString(36).slice(2, 8)}`,
      PLAN.holdSeconds,
    );
  } finally {
    await raw.stop();
  }
  const pushline = await startServerProcess('pushline', { args: [String(PLAN.heartbeatSeconds)] });
  let ours;
  try {
    // Two sockets per user, like the cost model.
    ours = await measureCapacity(
      pushline,
      sockets,
      (i) => `${pushline.url}?token=${tokens[i >> 1] ?? ''}`,
      PLAN.holdSeconds,
    );
  } finally {
    await pushline.stop();
  }
  details.capacity = { raw: rawFigures, pushline: ours };
  if (ours.held !== sockets || rawFigures.held !== sockets)
    throw new Error(`capacity: held ${ours.held} (Pushline) and ${rawFigures.held} (raw) of ${sockets}`);
  record('capacity.sockets', ours.held, 'sockets');
  record(
    'capacity.pushline.rssBytesPerSocket',
    ours.rssBytesPerSocket,
    'B',
    { name: 'raw ws', value: rawFigures.rssBytesPerSocket },
    '<= 1.2',
  );
  record(
    'capacity.pushline.heapBytesPerSocket',
    ours.heapBytesPerSocket,
    'B',
    { name: 'raw ws', value: rawFigures.heapBytesPerSocket },
    '<= 1.2',
  );
  record('capacity.pushline.rssAfterBytes', ours.rssAfter, 'B', {
    name: 'raw ws',
    value: rawFigures.rssAfter,
  });
  record('capacity.pushline.openSeconds', ours.openSeconds, 's', {
    name: 'raw ws',
    value: rawFigures.openSeconds,
  });
}

function printCost(rows: readonly CostRow[]): void {
  const lambdaRun =
    (PRICES.lambdaRequest + LAMBDA.memoryGb * LAMBDA.billedSeconds * PRICES.lambdaGbSecond) * 1e6;
  console.log(
    `\nCost shape on AWS (SDK calls counted on dynalite, local-aws-sqs and the local gateway; platform work modelled)\n` +
      `  prices: API Gateway $1.00/M messages, SQS $0.40/M requests, Lambda $0.20/M + ${LAMBDA.memoryGb * 1024} MB × ${LAMBDA.billedSeconds * 1000} ms ` +
      `($${lambdaRun.toFixed(3)}/M runs), DynamoDB $0.125/M read units, $0.625/M write units`,
  );
  const header = [
    'operation',
    'K',
    'SDK calls (this design, counted)',
    'APIGW msg',
    'SQS req',
    'Lambda',
    'RRU',
    'WRU',
    '$/M ours',
    '$/M seed',
    'ratio',
  ];
  const lines = rows.map((row) => [
    row.operation,
    String(row.k),
    Object.entries(row.calls)
      .map(([name, n]) => `${name.replace(/^\w+\./, '')}×${n}`)
      .join(' ') || '—',
    `${row.bill.apiGatewayMessages} / ${row.seedBill.apiGatewayMessages}`,
    `${row.bill.sqsRequests} / ${row.seedBill.sqsRequests}`,
    `${row.bill.lambdaRuns} / ${row.seedBill.lambdaRuns}`,
    `${row.bill.dynamoReadUnits} / ${row.seedBill.dynamoReadUnits}`,
    `${row.bill.dynamoWriteUnits} / ${row.seedBill.dynamoWriteUnits}`,
    row.dollarsPerMillion.toFixed(2),
    row.seedDollarsPerMillion.toFixed(2),
    row.ratio.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => line[i]?.length ?? 0)));
  const print = (cells: readonly string[]): void => {
    console.log(`  ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')}`);
  };
  print(header);
  console.log(`  (units: ours / seed's)`);
  for (const line of lines) print(line);
}

async function cost(): Promise<void> {
  const rows = await measureCost(PLAN.costKs);
  printCost(rows);
  details.cost = { prices: PRICES, lambda: LAMBDA, rows };
  const atTwo = rows.find((row) => row.operation === 'notifyUser' && row.k === 2);
  if (atTwo === undefined) throw new Error('no NotifyUser row at K = 2');
  record(
    'cost.notifyUser.k2.dollarsPerMillion',
    atTwo.dollarsPerMillion,
    '$/M',
    { name: 'seed', value: atTwo.seedDollarsPerMillion },
    '<= 0.75',
  );
  for (const row of rows) {
    if (row.operation === 'notifyUser' && row.k !== 2)
      record(`cost.notifyUser.k${row.k}.dollarsPerMillion`, row.dollarsPerMillion, '$/M', {
        name: 'seed',
        value: row.seedDollarsPerMillion,
      });
  }
  for (const row of rows) {
    // The seed has no resume: that row has no baseline.
    if (row.operation === 'resume') record('cost.resume.dollarsPerMillion', row.dollarsPerMillion, '$/M');
    else if (row.operation !== 'notifyUser')
      record(`cost.${row.operation}.dollarsPerMillion`, row.dollarsPerMillion, '$/M', {
        name: 'seed',
        value: row.seedDollarsPerMillion,
      });
  }
  const direct = dollars(directPushBill(atTwo)) * 1e6;
  record('cost.whatIf.directPushK2.dollarsPerMillion', direct, '$/M', {
    name: 'seed',
    value: atTwo.seedDollarsPerMillion,
  });
}

async function gateway(): Promise<void> {
  const [seconds = '5', clients = '8'] = PLAN.gateway;
  console.log(
    `\nLocal gateway round trips (bench/local-gateway-roundtrip.ts ${seconds} ${clients}: clients and servers in one process)`,
  );
  const script = fileURLToPath(new URL('local-gateway-roundtrip.ts', import.meta.url));
  const { stdout: output } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', script, seconds, clients],
    {
      timeout: 120_000,
    },
  );
  const last = output.trim().split('\n').at(-1) ?? '{}';
  const result = JSON.parse(last) as { rawRoundTripsPerSecond: number; gatewayRoundTripsPerSecond: number };
  details.localGateway = result;
  record(
    'localGateway.roundTripsPerSecond',
    result.gatewayRoundTripsPerSecond,
    'rt/s',
    { name: 'raw ws (same process)', value: result.rawRoundTripsPerSecond },
    '>= 0.5',
  );
}

async function devStack(): Promise<void> {
  const plan = PLAN.devStack;
  console.log(
    `\nLocal AWS-shaped stack (pnpm dev in a child process: SQS → NotifyUser → SQS → NotifyConnection → @connections → frame)`,
  );
  const result = await measureDevStack(plan);
  details.devStack = result;
  const floor = {
    name: 'queue floor p50 (SendMessage to a waiting receive)',
    value: result.queueFloor.p50Ms,
  };
  record('devStack.single.p50Ms', result.single.p50Ms, 'ms', floor);
  record('devStack.single.p99Ms', result.single.p99Ms, 'ms', floor);
  console.log(`  target: single notification p50 <= 20 ms: ${result.single.p50Ms <= 20 ? 'met' : 'MISSED'}`);
  for (const [sockets, fan] of Object.entries(result.fanOut)) {
    record(`devStack.fanOut.s${sockets}.p50Ms`, fan.p50Ms, 'ms', floor);
    record(`devStack.fanOut.s${sockets}.p99Ms`, fan.p99Ms, 'ms', floor);
    record(`devStack.fanOut.s${sockets}.faults`, fan.faults, 'frames');
    const raw = rawFanOutMs.get(Number(sockets));
    record(
      `devStack.fanOut.s${sockets}.lastSocketMs`,
      fan.lastMs,
      'ms',
      raw === undefined ? null : { name: 'raw ws fan-out, same run', value: raw },
    );
    if (sockets === '1000') {
      console.log(`  target: fan-out to 1,000 sockets p99 <= 250 ms: ${fan.p99Ms <= 250 ? 'met' : 'MISSED'}`);
    }
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const machineBefore = machine();
  console.log(`Pushline benchmarks (${quick ? 'quick' : 'full'}) — ${new Date().toISOString()}`);
  console.log(`  ${JSON.stringify(machineBefore)}`);
  const issuer = new JoseTokenIssuer({ secret: BENCH_TOKEN_SECRET });
  const tokens = await Promise.all(
    Array.from({ length: 50 }, (_, i) => issuer.issue(`rt-${i}`).then((t) => t.token)),
  );
  const [raw, socketIo, pushline, stack] = await Promise.all([
    startServerProcess('raw-ws', { args: ['30000'] }),
    startServerProcess('socket-io'),
    startServerProcess('pushline', { args: ['30'], cpuProfile: profile }),
    startStack(),
  ]);
  try {
    const stackTokens = await Promise.all(Array.from({ length: 10 }, (_, i) => tokenFor(stack, `rt-${i}`)));
    await roundTrips({ raw, socketIo, pushline }, tokens, { stack, tokens: stackTokens });
    if (!roundTripsOnly) await fanOut(raw, pushline, issuer);
  } finally {
    await Promise.all([raw.stop(), socketIo.stop(), pushline.stop(), stopStack(stack)]);
  }
  const profilePath = pushline.profile();
  if (profilePath !== null) {
    const { self, total, ms } = summarize(JSON.parse(readFileSync(profilePath, 'utf8')) as Profile);
    // The server idles while the other servers are measured: shares are of its busy time.
    const busy = ms - (self.get('(idle) :0') ?? 0);
    const top = (map: Map<string, number>): string[] =>
      [...map]
        .filter(([name]) => !name.startsWith('(idle)') && !name.startsWith('(root)'))
        .sort((a, b) => b[1] - a[1])
        .slice(0, 15)
        .map(([name, time]) => `  ${((100 * time) / busy).toFixed(1).padStart(5)}%  ${name}`);
    console.log(
      `\nProfile of the standalone server (round trips + fan-out; % of ${busy.toFixed(0)} ms busy): ${profilePath}`,
    );
    console.log(
      ` self time:\n${top(self).join('\n')}\n total time (with callees):\n${top(total).join('\n')}`,
    );
    details.profile = profilePath;
  }
  if (roundTripsOnly) {
    const missed = figures.filter((f) => f.met === false).map((f) => f.name);
    console.log(
      `\nRound trips done in ${((Date.now() - started) / 1000).toFixed(1)} s; load average after ${JSON.stringify(machine().loadAverage)}`,
    );
    console.log(missed.length === 0 ? 'Every target met.' : `Targets missed: ${missed.join(', ')}`);
    return;
  }
  await capacity(issuer, machineBefore);
  await cost();
  await gateway();
  await devStack();
  const seconds = (Date.now() - started) / 1000;
  const machineAfter = machine();
  const results = {
    date: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    command: quick ? 'pnpm bench --quick' : 'pnpm bench',
    seconds,
    machine: { ...machineBefore, loadAverageAfter: machineAfter.loadAverage },
    plan: PLAN,
    figures: Object.fromEntries(figures.map(({ name, ...rest }) => [name, rest])),
    details,
  };
  writeFileSync(new URL('results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
  const missed = figures.filter((f) => f.met === false).map((f) => f.name);
  console.log(
    `\nDone in ${seconds.toFixed(1)} s; load average after ${JSON.stringify(machineAfter.loadAverage)}; wrote bench/results.json`,
  );
  console.log(missed.length === 0 ? 'Every target met.' : `Targets missed: ${missed.join(', ')}`);
}

const stop = (): void => {
  killAll();
  process.exit(130);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
try {
  await main();
} finally {
  killAll();
}
