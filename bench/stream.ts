// `npx tsx bench/stream.ts [resumes]`: what the per-user stream costs and how fast `resume` is.
//
// - Cost, side by side in one run (bench/cost.ts: SDK calls counted on dynalite, local-aws-sqs
//   and the local gateway, platform work modelled): dollars per million notifications to a
//   user with 2 sockets, with the stream, against the seed's design (goal ≤ 0.75×), and
//   dollars per million resumes.
// - Latency of `resume` (3 missed notifications each) against `ping` on the same socket: on the
//   standalone server (goal: ≤ 5× a ping round trip) and on the `pnpm dev` stack (the Lambda
//   handlers on dynalite; goal: p95 ≤ 300 ms).
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { startDevStack } from '@pushline/local/dev';
import { loadConfig, startServer } from '@pushline/server';
import { devConfigOnFreePorts } from './support/dev-stack.js';
import { TestClient } from './support/ws-client.js';
import { measureCost } from './cost.js';
import { quantile } from './support/clients.js';

const RESUMES = Number(process.argv[2] ?? 200);
const SECRET = 'bench-stream-secret-bench-stream-secret-0123';
const API_KEY = 'bench-stream-api-key-0123456789';

interface Latency {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

function summary(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => Math.round(quantile(sorted, q) * 100) / 100;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

async function timed(client: TestClient, frame: unknown): Promise<number> {
  const started = performance.now();
  const reply = await client.request(frame);
  const ms = performance.now() - started;
  if (reply.type === 'error') throw new Error(`unexpected reply ${JSON.stringify(reply)}`);
  return ms;
}

/** Per round: 3 notifications while the user has no socket, a reconnect, a resume and a ping, timed. */
async function rounds(
  connect: () => Promise<TestClient>,
  notify: (id: string) => Promise<void>,
  settle: () => Promise<void>,
): Promise<{ resume: Latency; ping: Latency; recovered: number }> {
  const resumes: number[] = [];
  const pings: number[] = [];
  let recovered = 0;
  let position: { epoch: string; seq: number } | null = null;
  for (let round = 0; round < RESUMES; round++) {
    for (let n = 0; n < 3; n++) await notify(`r${round}-${n}`);
    await settle();
    const client = await connect();
    try {
      const started = performance.now();
      const reply = (await client.request(
        position === null ? { action: 'resume' } : { action: 'resume', ...position },
      )) as { type: string; epoch: string; seq: number; recovered: boolean; notifications: unknown[] };
      resumes.push(performance.now() - started);
      if (reply.type !== 'resumed' || !reply.recovered)
        throw new Error(`resume failed: ${JSON.stringify(reply)}`);
      recovered += reply.notifications.length;
      position = { epoch: reply.epoch, seq: reply.seq };
      pings.push(await timed(client, { action: 'ping' }));
    } finally {
      await client.close();
    }
  }
  return { resume: summary(resumes), ping: summary(pings), recovered };
}

async function onServer(): Promise<{ resume: Latency; ping: Latency; recovered: number }> {
  const config = loadConfig({ PUSHLINE_PORT: '0', PUSHLINE_TOKEN_SECRET: SECRET, PUSHLINE_API_KEY: API_KEY });
  const server = await startServer({ ...config, rateLimit: 0 }, { logLevel: 'SILENT' });
  try {
    const { token } = (await (
      await fetch(`${server.httpUrl}/token`, { method: 'POST', body: JSON.stringify({ userId: 'bench' }) })
    ).json()) as { token: string };
    return await rounds(
      () => TestClient.connect(`${server.url}?token=${token}`),
      (id) => server.notifyUser('bench', { id }, id),
      () => new Promise((resolve) => setTimeout(resolve, 5)),
    );
  } finally {
    await server.close();
  }
}

async function onDevStack(): Promise<{ resume: Latency; ping: Latency; recovered: number }> {
  const stack = await startDevStack(devConfigOnFreePorts(), { logLevel: 'SILENT' });
  try {
    const { token } = (await (
      await fetch(`${stack.httpUrl}/token`, { method: 'POST', body: JSON.stringify({ userId: 'bench' }) })
    ).json()) as { token: string };
    let sent = 0;
    let appended = 0;
    return await rounds(
      () => TestClient.connect(`${stack.wsUrl}?token=${token}`),
      async (id) => {
        sent += 1;
        await stack.aws.sqs.send(
          new SendMessageCommand({
            QueueUrl: stack.queues.NotifyUser.url,
            MessageBody: JSON.stringify({ userId: 'bench', id, data: { id } }),
          }),
        );
      },
      async () => {
        // Wait until the NotifyUser runs have stored them (the resume must find them).
        const probe = await TestClient.connect(`${stack.wsUrl}?token=${token}`);
        try {
          for (let tries = 0; appended < sent && tries < 500; tries++) {
            const reply = (await probe.request({ action: 'resume' })) as { seq: number };
            appended = reply.seq;
            if (appended < sent) await new Promise((resolve) => setTimeout(resolve, 10));
          }
        } finally {
          await probe.close();
        }
      },
    );
  } finally {
    await stack.close();
  }
}

const costRows = await measureCost([2]);
const atTwo = costRows.find((row) => row.operation === 'notifyUser' && row.k === 2);
const resumeCost = costRows.find((row) => row.operation === 'resume');
const server = await onServer();
const dev = await onDevStack();
const result = {
  command: `npx tsx bench/stream.ts ${RESUMES}`,
  at: new Date().toISOString(),
  cost: {
    notifyUserK2: {
      dollarsPerMillion: atTwo?.dollarsPerMillion,
      seedDollarsPerMillion: atTwo?.seedDollarsPerMillion,
      ratio: atTwo?.ratio,
      calls: atTwo?.calls,
    },
    resume: { dollarsPerMillion: resumeCost?.dollarsPerMillion, calls: resumeCost?.calls },
  },
  server: { ...server, resumeOverPingP50: server.resume.p50 / server.ping.p50 },
  devStack: dev,
};
console.log(JSON.stringify(result, null, 2));
