// The local AWS-shaped stack (`pnpm dev`) under notification load, in a child process:
// 1. enqueue-to-frame latency of single notifications: from just before `SendMessage` to the
//    NotifyUser queue until the socket has the frame (NotifyUser handler → SendMessageBatch →
//    NotifyConnection handler → POST @connections → frame). Baseline: the floor of any
//    queue-driven design on the same local-aws-sqs, one SendMessage and a waiting receive.
// 2. fan-out: one NotifyUser message to a user with N sockets, every socket's arrival time
//    after the enqueue, every frame checked, nothing for another user's sockets.
// Run alone with `tsx bench/dev-stack.ts [--quick]`; `pnpm bench` runs it too.
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { rawDataText } from '@pushline/adapters/ws';
import { type ChildProcess, spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { RawData, WebSocket } from 'ws';
import { closeClients, openClients, quantile } from './support/clients.js';

export interface LatencyFigures {
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface DevStackFigures {
  /** Enqueue to frame, one socket, one notification at a time. */
  readonly single: LatencyFigures;
  /** SendMessage to a waiting ReceiveMessage on the same local-aws-sqs: the queue's floor. */
  readonly queueFloor: LatencyFigures;
  /** Per fan-out size: every socket's enqueue-to-frame time, over all repetitions. */
  readonly fanOut: Readonly<
    Record<number, LatencyFigures & { readonly lastMs: number; readonly faults: number }>
  >;
}

export interface DevStackPlan {
  readonly singles: number;
  /** Fan-outs to measure: a user with `sockets` sockets, notified `reps` times (after one warm-up). */
  readonly fanOut: readonly { readonly sockets: number; readonly reps: number }[];
}

/** The full run's fan-outs on the dev stack: 10,000 sockets take seconds a notification, so fewer repetitions. */
export const DEV_STACK_FAN_OUT: DevStackPlan['fanOut'] = [
  { sockets: 1, reps: 5 },
  { sockets: 100, reps: 5 },
  { sockets: 1_000, reps: 5 },
  { sockets: 10_000, reps: 2 },
];

const MAIN = fileURLToPath(new URL('../apps/local/src/dev/main.ts', import.meta.url));

/** A running `pnpm dev` child process and the URLs it printed. */
export interface RunningStack {
  readonly child: ChildProcess;
  readonly httpUrl: string;
  readonly wsUrl: string;
  readonly sqsEndpoint: string;
  readonly notifyUserQueueUrl: string;
}

/** Starts `pnpm dev`'s entry point on free ports and reads the URLs it prints. */
export async function startStack(): Promise<RunningStack> {
  // DEV_STACK_PROFILE=<dir> writes a CPU profile of the stack's process there, for the hot path.
  const profileDir = process.env.DEV_STACK_PROFILE;
  const flags = profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir];
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', MAIN], {
    env: {
      ...process.env,
      PUSHLINE_WS_PORT: '0',
      PUSHLINE_HTTP_PORT: '0',
      PUSHLINE_SQS_PORT: '0',
      PUSHLINE_DYNAMODB_PORT: '0',
      PUSHLINE_LOG_LEVEL: 'WARN',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8');
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`the dev stack did not start: ${output}`));
    }, 60_000);
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('Press Ctrl+C')) {
        clearTimeout(timer);
        resolve(output);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the dev stack exited with ${String(code)}: ${output}`));
    });
  });
  const printed = await ready;
  const find = (pattern: RegExp): string => {
    const match = pattern.exec(printed);
    if (match?.[1] === undefined) throw new Error(`no ${String(pattern)} in: ${printed}`);
    return match[1];
  };
  return {
    child,
    httpUrl: find(/Demo page\s+(\S+?)\/?\s/),
    wsUrl: find(/WebSocket\s+(\S+)/),
    sqsEndpoint: find(/SQS endpoint\s+(\S+)/),
    notifyUserQueueUrl: find(/NotifyUser queue: (\S+)/),
  };
}

export async function stopStack(stack: RunningStack): Promise<void> {
  if (stack.child.exitCode !== null) return;
  const exited = new Promise((resolve) => stack.child.once('exit', resolve));
  stack.child.kill('SIGTERM');
  const timer = setTimeout(() => stack.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function figures(samples: number[]): LatencyFigures {
  const sorted = Float64Array.from(samples).sort();
  return {
    samples: sorted.length,
    p50Ms: round(quantile(sorted, 0.5)),
    p99Ms: round(quantile(sorted, 0.99)),
    maxMs: round(sorted.at(-1) ?? NaN),
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

export async function tokenFor(stack: RunningStack, userId: string): Promise<string> {
  const response = await fetch(`${stack.httpUrl}/token`, {
    method: 'POST',
    body: JSON.stringify({ userId }),
  });
  return ((await response.json()) as { token: string }).token;
}

/** Waits for the frame with notification `id` on each socket; resolves with arrival times. */
function arrivals(
  sockets: readonly WebSocket[],
  id: string,
  data: unknown,
  timeoutMs: number,
): Promise<{ times: number[]; faults: number }> {
  return new Promise((resolve) => {
    const times: number[] = [];
    let faults = 0;
    const expected = JSON.stringify({ type: 'notification', id, data });
    const listeners = sockets.map((socket) => {
      const listener = (raw: RawData): void => {
        const now = performance.now();
        if (rawDataText(raw) === expected) times.push(now);
        else faults += 1;
        if (times.length === sockets.length) finish();
      };
      socket.on('message', listener);
      return listener;
    });
    const timer = setTimeout(() => {
      finish();
    }, timeoutMs);
    function finish(): void {
      clearTimeout(timer);
      sockets.forEach((socket, i) => socket.off('message', listeners[i]!));
      resolve({ times, faults: faults + (sockets.length - times.length) });
    }
  });
}

export async function measureDevStack(plan: DevStackPlan): Promise<DevStackFigures> {
  const stack = await startStack();
  const sqs = new SQSClient({
    endpoint: stack.sqsEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const send = (userId: string, id: string, data: unknown) =>
    sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.notifyUserQueueUrl,
        MessageBody: JSON.stringify({ userId, id, data }),
      }),
    );
  try {
    // The floor: one message through the same local-aws-sqs to a waiting receiver.
    const { QueueUrl: floorQueue } = await sqs.send(new CreateQueueCommand({ QueueName: 'bench-floor' }));
    const floor: number[] = [];
    for (let i = 0; i < plan.singles; i++) {
      const receiving = sqs.send(
        new ReceiveMessageCommand({ QueueUrl: floorQueue, MaxNumberOfMessages: 1, WaitTimeSeconds: 5 }),
      );
      await new Promise((resolve) => setTimeout(resolve, 2));
      const started = performance.now();
      await sqs.send(new SendMessageCommand({ QueueUrl: floorQueue, MessageBody: String(i) }));
      await receiving;
      floor.push(performance.now() - started);
    }

    const tokenSingle = await tokenFor(stack, 'bench-single');
    const [single] = await openClients(1, {
      url: () => `${stack.wsUrl}?token=${encodeURIComponent(tokenSingle)}`,
    });
    const singles: number[] = [];
    for (let i = 0; i < plan.singles; i++) {
      const id = `single-${i}`;
      const arrived = arrivals([single!], id, i, 10_000);
      const started = performance.now();
      await send('bench-single', id, i);
      const { times } = await arrived;
      if (times[0] !== undefined && i > 0) singles.push(times[0] - started);
    }
    closeClients([single!]);

    const fanOut: Record<number, LatencyFigures & { lastMs: number; faults: number }> = {};
    for (const { sockets: count, reps } of plan.fanOut) {
      const user = `bench-fan-${count}`;
      const token = await tokenFor(stack, user);
      const otherToken = await tokenFor(stack, `${user}-other`);
      const sockets = await openClients(count, {
        url: () => `${stack.wsUrl}?token=${encodeURIComponent(token)}`,
        concurrency: 50,
      });
      const others = await openClients(5, {
        url: () => `${stack.wsUrl}?token=${encodeURIComponent(otherToken)}`,
      });
      // Any frame on another user's socket is a leak.
      let strays = 0;
      for (const other of others) other.on('message', () => (strays += 1));
      const samples: number[] = [];
      const lasts: number[] = [];
      let faults = 0;
      for (let rep = 0; rep <= reps; rep++) {
        const id = `fan-${count}-${rep}`;
        const data = { rep, sockets: count };
        const arrived = arrivals(sockets, id, data, 30_000 + 10 * count);
        const started = performance.now();
        await send(user, id, data);
        const { times, faults: missing } = await arrived;
        // The first repetition warms the handlers and the pollers up; it is not counted.
        if (rep === 0) continue;
        faults += missing;
        samples.push(...times.map((time) => time - started));
        lasts.push(Math.max(...times) - started);
      }
      closeClients(sockets);
      closeClients(others);
      fanOut[count] = { ...figures(samples), lastMs: figures(lasts).p50Ms, faults: faults + strays };
    }
    return { single: figures(singles), queueFloor: figures(floor), fanOut };
  } finally {
    sqs.destroy();
    await stopStack(stack);
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const quick = process.argv.includes('--quick');
  // `--fan-out=10000` measures only that fan-out (5 repetitions).
  const only = process.argv.find((arg) => arg.startsWith('--fan-out='));
  const result = await measureDevStack(
    only !== undefined
      ? { singles: 0, fanOut: [{ sockets: Number(only.slice('--fan-out='.length)), reps: 5 }] }
      : quick
        ? { singles: 50, fanOut: [100, 1_000].map((sockets) => ({ sockets, reps: 2 })) }
        : { singles: 300, fanOut: DEV_STACK_FAN_OUT },
  );
  const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}x`;
  if (result.single.samples > 0) {
    console.log(
      `single notification, enqueue to frame: p50 ${result.single.p50Ms} ms, p99 ${result.single.p99Ms} ms (target p50 <= 20 ms); ` +
        `queue floor p50 ${result.queueFloor.p50Ms} ms (${ratio(result.single.p50Ms, result.queueFloor.p50Ms)} the floor)`,
    );
  }
  for (const [count, fan] of Object.entries(result.fanOut)) {
    console.log(
      `fan-out to ${count} sockets: p50 ${fan.p50Ms} ms, p99 ${fan.p99Ms} ms, last ${fan.lastMs} ms (target p99 <= 250 ms at 1,000), faults ${fan.faults}`,
    );
  }
}
