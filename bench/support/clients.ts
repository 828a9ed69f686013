// Opening many `ws` clients fast and within the machine's limits: bounded concurrency, and
// client ports spread over several loopback addresses (127.0.0.1–127.0.0.9), since one
// source address has only ~28,000 ephemeral ports towards one server port.
import { WebSocket } from 'ws';

const LOOPBACKS = Array.from({ length: 9 }, (_, i) => `127.0.0.${i + 1}`);

export interface OpenOptions {
  /** URL of socket `i`. */
  readonly url: (i: number) => string;
  /** Handshakes in flight at once; default 200. */
  readonly concurrency?: number;
  /**
   * Called as soon as socket `i` exists, before any message can arrive; the socket counts as
   * open once this resolves too (a protocol handshake after the WebSocket one).
   */
  readonly prepare?: (socket: WebSocket, i: number) => Promise<void>;
  /** Give up after this long; default 60 s. */
  readonly timeoutMs?: number;
}

/** Opens `count` clients; rejects (closing those already open) if one fails. */
export async function openClients(count: number, options: OpenOptions): Promise<WebSocket[]> {
  const sockets: WebSocket[] = new Array<WebSocket>(count);
  const concurrency = options.concurrency ?? 200;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let nextIndex = 0;
  const openOne = (i: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const socket = new WebSocket(options.url(i), {
        perMessageDeflate: false,
        localAddress: LOOPBACKS[i % LOOPBACKS.length],
        handshakeTimeout: 30_000,
      });
      sockets[i] = socket;
      const prepared = options.prepare?.(socket, i) ?? Promise.resolve();
      socket.once('open', () => {
        prepared.then(resolve, reject);
      });
      // Kept for the socket's life: a later error (the server stopped) must not crash the run.
      socket.on('error', reject);
      socket.once('unexpected-response', (_request, response) => {
        reject(new Error(`socket ${i}: HTTP ${String(response.statusCode)}`));
      });
    });
  const worker = async (): Promise<void> => {
    while (nextIndex < count) {
      if (Date.now() > deadline)
        throw new Error(`opened ${nextIndex} of ${count} clients before the deadline`);
      const i = nextIndex++;
      await openOne(i);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  } catch (error) {
    closeClients(sockets.filter((socket): socket is WebSocket => socket instanceof WebSocket));
    throw error;
  }
  return sockets;
}

/** Closes clients at once (no closing handshake: the benchmark is over). */
export function closeClients(sockets: readonly WebSocket[]): void {
  for (const socket of sockets) socket.terminate();
}

/** Waits `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The `q`-quantile (0–1) of sorted numbers. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/** The median of numbers (not sorted). */
export function median(values: readonly number[]): number {
  return quantile(Float64Array.from(values).sort(), 0.5);
}
