// A clean stop, proved from outside: `pnpm dev` (apps/local/src/dev/main.ts) and the standalone
// server (apps/server/src/main.ts) are started with the command of their package script (read from
// its package.json, run with this Node and without pnpm), on free ports, with a client connected.
// SIGINT (or SIGTERM) to the process the test started must end it with exit code 0, its last line
// saying it stopped and released every port, the ports bindable again at once, and no process of
// its tree left.
//
// The scripts run `node --import tsx`, one process: the `tsx` command runs the script in a child
// and, when that child does not acknowledge a signal within 30 ms (a loaded machine), kills it with
// SIGKILL and exits 130, which is not a clean stop.
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Readable } from 'node:stream';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { connect, within } from '../support/local-gateway.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

type Started = ChildProcessByStdio<null, Readable, Readable>;

/** Every process whose parent chain leads to `pid`, from /proc (Linux). */
function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces) in parentheses: state, ppid, …
      const [, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(ppid));
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  const visit = (parent: number): void => {
    for (const [child, ppid] of parents) {
      if (ppid === parent) {
        found.push(child);
        visit(child);
      }
    }
  };
  visit(pid);
  return found;
}

/** Whether `pid` is still a process (a zombie counts as gone: it holds nothing). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Resolves once `port` can be listened on at 127.0.0.1, rejects with the bind error otherwise. */
function bind(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      server.close(() => {
        resolve();
      });
    });
  });
}

interface Running {
  readonly child: Started;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

/** The command of `script` in `packageDir`'s package.json, which must start with `node`. */
function packageScript(packageDir: string, script: string): string[] {
  const manifest = JSON.parse(readFileSync(join(repoRoot, packageDir, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const [command, ...args] = (manifest.scripts[script] ?? '').split(' ');
  expect(command).toBe('node');
  return args;
}

/** Starts the package script with this Node and waits for `ready` in its output. */
async function start(
  packageDir: string,
  scriptName: string,
  env: Record<string, string>,
  ready: RegExp,
): Promise<Running> {
  const script = `${packageDir} ${scriptName}`;
  const child = spawn(process.execPath, packageScript(packageDir, scriptName), {
    cwd: join(repoRoot, packageDir),
    env: { ...process.env, PUSHLINE_HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
    });
  });
  const running: Running = { child, exited, output: () => output };
  await within(
    new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (ready.test(output)) resolve();
      });
      void exited.then(({ code }) => {
        reject(new Error(`${script} exited (${code}) before it was ready:\n${output}\n${errors}`));
      });
    }),
    60_000,
    `${script} to start`,
  ).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return running;
}

/** Every 127.0.0.1 port named in `text`. */
function portsIn(text: string): number[] {
  return [...new Set([...text.matchAll(/127\.0\.0\.1:(\d+)/g)].map((match) => Number(match[1])))].sort();
}

/**
 * Sends `signal` to the started process and checks the stop: exit 0, a last line that says the
 * service stopped and names every port, the ports free at once, no process of the tree left.
 */
async function expectCleanStop(running: Running, signal: NodeJS.Signals, what: string): Promise<void> {
  const { child } = running;
  const ports = portsIn(running.output());
  const tree = descendants(child.pid!);
  try {
    child.kill(signal);
    expect(await within(running.exited, 30_000, `${what} to exit`)).toEqual({ code: 0, signal: null });
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    for (const pid of descendants(child.pid!)) process.kill(pid, 'SIGKILL');
  }
  const lines = running.output().trimEnd().split('\n');
  const last = lines.at(-1)!;
  expect(last).toMatch(new RegExp(`^stopped ${what}: `));
  expect(last).toContain('every port released');
  expect(last).toContain('no child process left');
  for (const port of ports) expect(last).toContain(String(port));
  expect(lines).toContain(`${signal}: stopping ${what}`);
  await Promise.all(ports.map((port) => bind(port)));
  expect(tree.filter(alive)).toEqual([]);
}

describe('a clean stop', () => {
  it('stops the dev stack on SIGINT: exit 0, every port free, no process left', async () => {
    const running = await start(
      'apps/local',
      'dev',
      { PUSHLINE_HTTP_PORT: '0', PUSHLINE_WS_PORT: '0', PUSHLINE_SQS_PORT: '0', PUSHLINE_DYNAMODB_PORT: '0' },
      /Press Ctrl\+C to stop\./,
    );
    // Four ports: the demo page and REST API, the WebSocket and @connections, SQS, DynamoDB.
    expect(portsIn(running.output())).toHaveLength(4);
    const wsUrl = /WebSocket +(ws:\/\/\S+)/.exec(running.output())![1]!;
    const client = await connect(wsUrl);
    await expectCleanStop(running, 'SIGINT', 'the dev stack');
    expect((await client.closed()).code).toBe(1001);
  }, 120_000);

  it.each(['SIGINT', 'SIGTERM'] as const)(
    'stops the standalone server on %s: exit 0, its port free, no process left',
    async (signal) => {
      const running = await start('apps/server', 'start', { PUSHLINE_PORT: '0' }, /POST \S+\/notify/);
      expect(portsIn(running.output())).toHaveLength(1);
      const wsUrl = /WebSocket +(ws:\/\/\S+)/.exec(running.output())![1]!;
      const client = await connect(wsUrl);
      await expectCleanStop(running, signal, 'the server');
      expect((await client.closed()).code).toBe(1001);
    },
    90_000,
  );
});
