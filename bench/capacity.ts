// Capacity: idle, authorized sockets held by one server process with heartbeats on, and what
// each costs in the server's memory: (RSS and heap after − before) / sockets, both read after
// a forced GC in a fresh server process. Sockets go over several loopback source addresses.
// After the hold (at least one heartbeat), every socket must still be open on both ends.
import type { WebSocket } from 'ws';
import { closeClients, openClients, sleep } from './support/clients.js';
import type { ServerProcess } from './support/processes.js';

export interface CapacityFigures {
  readonly sockets: number;
  /** Sockets the server still held after the hold. */
  readonly held: number;
  readonly holdSeconds: number;
  readonly rssBytesPerSocket: number;
  readonly heapBytesPerSocket: number;
  readonly rssBefore: number;
  readonly rssAfter: number;
  readonly heapBefore: number;
  readonly heapAfter: number;
  /** Seconds to open (and, for Pushline, register) every socket. */
  readonly openSeconds: number;
}

function answered(socket: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    socket.once('message', () => {
      resolve();
    });
    socket.send('{"action":"ping"}');
  });
}

/** Opens `sockets` sockets on a fresh server, holds them `holdSeconds`, and reads the server's memory. */
export async function measureCapacity(
  server: ServerProcess,
  sockets: number,
  url: (i: number) => string,
  holdSeconds: number,
): Promise<CapacityFigures> {
  const before = await server.memory();
  const opening = performance.now();
  const clients = await openClients(sockets, { url, timeoutMs: 180_000 });
  try {
    // A ping answered means the socket is registered (Pushline handles frames behind its connect).
    for (let start = 0; start < clients.length; start += 1_000) {
      await Promise.all(clients.slice(start, start + 1_000).map((socket) => answered(socket)));
    }
    const openSeconds = (performance.now() - opening) / 1000;
    await sleep(holdSeconds * 1000);
    const after = await server.memory();
    const open = clients.filter((socket) => socket.readyState === socket.OPEN).length;
    return {
      sockets,
      held: Math.min(after.sockets, open),
      holdSeconds,
      rssBytesPerSocket: (after.rss - before.rss) / sockets,
      heapBytesPerSocket: (after.heapUsed - before.heapUsed) / sockets,
      rssBefore: before.rss,
      rssAfter: after.rss,
      heapBefore: before.heapUsed,
      heapAfter: after.heapUsed,
      openSeconds,
    };
  } finally {
    closeClients(clients);
  }
}
