// Starting and stopping the benchmark's server processes. Each server runs in a child process
// (node + tsx) with an IPC channel; the parent stops it by message, and kills the pid it
// started if the child does not exit in time. Nothing outlives the run.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, MemoryMessage, ParentMessage, ReadyMessage } from '../servers/child.js';

export type ServerKind = 'raw-ws' | 'socket-io' | 'pushline';

const FILES: Readonly<Record<ServerKind, string>> = {
  'raw-ws': '../servers/raw-ws-server.ts',
  'socket-io': '../servers/socket-io-server.ts',
  pushline: '../servers/pushline-server.ts',
};

/** Where `--cpu-prof` profiles of server processes go (gitignored: `*.cpuprofile`). */
const PROFILE_DIR = fileURLToPath(new URL('../profiles/', import.meta.url));

/** A running server process. */
export interface ServerProcess extends ReadyMessage {
  readonly kind: ServerKind;
  readonly pid: number;
  /** The server's memory after a forced GC, and its socket count. */
  memory(): Promise<MemoryMessage>;
  /** The CPU time the process has used so far (user + system), in µs. */
  cpuMicros(): Promise<number>;
  /** Stops the server and waits for the process to exit (kills it after 10 s). */
  stop(): Promise<void>;
  /** The main thread's CPU profile, once stopped (with `cpuProfile`), else `null`. */
  profile(): string | null;
}

export interface StartOptions {
  /** Arguments after the script (heartbeat interval). */
  readonly args?: readonly string[];
  /** Write a CPU profile of the server process to {@link PROFILE_DIR}. */
  readonly cpuProfile?: boolean;
}

const live = new Set<ChildProcess>();

/** Kills (SIGKILL, by pid) every server process this run started and has not stopped yet. */
export function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
}

/** Starts a server process and resolves when it listens. */
export async function startServerProcess(
  kind: ServerKind,
  options: StartOptions = {},
): Promise<ServerProcess> {
  const script = fileURLToPath(new URL(FILES[kind], import.meta.url));
  const nodeFlags = ['--expose-gc', '--import', 'tsx'];
  let profileDir: string | null = null;
  if (options.cpuProfile === true) {
    // One directory per process: tsx's loader thread writes a profile of its own next to the
    // main thread's (thread id 0), which is the one that matters.
    profileDir = join(PROFILE_DIR, `${kind}-${Date.now()}`);
    mkdirSync(profileDir, { recursive: true });
    nodeFlags.push('--cpu-prof', '--cpu-prof-dir', profileDir);
  }
  // The shell raises the open-files limit to its hard cap for the server, then execs node
  // (same pid), so one socket per file descriptor can go as far as the machine allows.
  const child = spawn(
    '/bin/sh',
    [
      '-c',
      'ulimit -n "$(ulimit -Hn)"; exec "$@"',
      'sh',
      process.execPath,
      ...nodeFlags,
      script,
      ...(options.args ?? []),
    ],
    { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] },
  );
  live.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const messages: ((message: ChildMessage) => void)[] = [];
  child.on('message', (message: ChildMessage) => {
    for (const listener of [...messages]) listener(message);
  });
  const next = <T extends ChildMessage['type']>(
    type: T,
    ms: number,
  ): Promise<Extract<ChildMessage, { type: T }>> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${kind} server: no '${type}' within ${ms} ms\n${stderr}`));
      }, ms);
      const onExit = (): void => {
        cleanup();
        reject(new Error(`${kind} server exited (code ${String(child.exitCode)})\n${stderr}`));
      };
      const listener = (message: ChildMessage): void => {
        if (message.type !== type) return;
        cleanup();
        resolve(message as Extract<ChildMessage, { type: T }>);
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        child.off('exit', onExit);
        messages.splice(messages.indexOf(listener), 1);
      };
      messages.push(listener);
      child.once('exit', onExit);
    });
  const tell = (message: ParentMessage): void => {
    child.send(message);
  };
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${kind} server did not start`);
  let ready: ReadyMessage;
  try {
    ready = await next('ready', 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    live.delete(child);
    throw error;
  }
  return {
    ...ready,
    kind,
    pid,
    memory: async () => {
      const reply = next('memory', 30_000);
      tell({ type: 'memory' });
      return reply;
    },
    cpuMicros: async () => {
      const reply = next('cpu', 30_000);
      tell({ type: 'cpu' });
      return (await reply).micros;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null && child.connected) tell({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited(child);
      clearTimeout(timer);
      live.delete(child);
    },
    profile: () => {
      if (profileDir === null) return null;
      const dir = profileDir;
      const main = readdirSync(dir).find((name) => /\.\d+\.0\.\d+\.cpuprofile$/.test(name));
      return main === undefined ? null : join(dir, main);
    },
  };
}
