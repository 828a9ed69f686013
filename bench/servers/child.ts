// The parent ↔ server-process protocol of the benchmarks. A server runs in its own process
// (so the clients' load never shares its event loop), reports `ready` over IPC, answers
// `memory` with its footprint after a full GC, and closes everything on `stop`.

/** The standalone server's HS256 secret in the benchmarks (the parent signs tokens with it). */
export const BENCH_TOKEN_SECRET = 'bench-secret-bench-secret-bench-secret-0123';
/** The standalone server's `POST /notify` key in the benchmarks. */
export const BENCH_API_KEY = 'bench-api-key-0123456789';

/** What a server process reports when it listens. */
export interface ReadyMessage {
  readonly type: 'ready';
  /** WebSocket URL. */
  readonly url: string;
  /** HTTP base URL (same port). */
  readonly httpUrl: string;
  /** Bearer key of `POST /notify` (Pushline and the raw ws baseline). */
  readonly apiKey: string;
}

/** The server process's memory after two forced GCs, and how many sockets it holds. */
export interface MemoryMessage {
  readonly type: 'memory';
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly sockets: number;
}

/** The CPU time the server process has used so far (user + system), in µs. */
export interface CpuMessage {
  readonly type: 'cpu';
  readonly micros: number;
}
export type ChildMessage = ReadyMessage | MemoryMessage | CpuMessage | { readonly type: 'stopped' };
export type ParentMessage =
  { readonly type: 'memory' } | { readonly type: 'cpu' } | { readonly type: 'stop' };

/** A server a child process runs: where it listens, how many sockets it holds, how to close it. */
export interface ChildServer {
  readonly url: string;
  readonly httpUrl: string;
  readonly apiKey: string;
  sockets(): number;
  close(): Promise<void>;
}

function send(message: ChildMessage, then?: () => void): void {
  process.send?.(message, undefined, undefined, () => then?.());
}

function collect(): void {
  // --expose-gc is set by the parent; without it the figures include garbage.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
}

/** Runs `server` in this process until the parent says `stop` or goes away. */
export async function serveChild(start: () => Promise<ChildServer>): Promise<void> {
  if (process.send === undefined)
    throw new Error('run this file from bench/run.ts (it needs an IPC channel)');
  const server = await start();
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await server.close();
    // exit() (not a drained event loop) also writes a --cpu-prof profile.
    send({ type: 'stopped' }, () => process.exit(0));
  };
  process.on('message', (message: ParentMessage) => {
    switch (message.type) {
      case 'memory': {
        collect();
        const usage = process.memoryUsage();
        send({
          type: 'memory',
          rss: usage.rss,
          heapUsed: usage.heapUsed,
          external: usage.external,
          sockets: server.sockets(),
        });
        return;
      }
      case 'cpu': {
        const usage = process.cpuUsage();
        send({ type: 'cpu', micros: usage.user + usage.system });
        return;
      }
      case 'stop': {
        void stop();
        return;
      }
    }
  });
  // The parent died or closed the channel: never outlive it.
  process.on('disconnect', () => {
    if (!stopping) void server.close().finally(() => process.exit(0));
  });
  send({ type: 'ready', url: server.url, httpUrl: server.httpUrl, apiKey: server.apiKey });
}
