// Fan-out: one notification to a user with N open sockets, timed from the `POST /notify`
// request until the last of the user's sockets has the frame. Every frame is checked (its
// type, the notification id the server answered with, the data as sent), and sockets of
// another user, open at the same time, must receive nothing. The same clients run against
// the raw ws baseline (which sends the frame to each socket of the user, nothing else).
import { rawDataText } from '@pushline/adapters/ws';
import { performance } from 'node:perf_hooks';
import type { RawData, WebSocket } from 'ws';
import { closeClients, median, openClients } from './support/clients.js';

/** Where and how to notify, and how to open a socket of a user. */
export interface FanOutTarget {
  readonly name: string;
  readonly httpUrl: string;
  readonly apiKey: string;
  /** URL of a socket of `userId`. */
  readonly socketUrl: (userId: string) => Promise<string>;
}

export interface FanOutFigures {
  readonly sockets: number;
  readonly repetitions: number;
  /** Median time until the last socket had the frame, in ms. */
  readonly lastSocketMs: number;
  /** Every repetition's time until the last socket had the frame, in ms. */
  readonly lastSocketTimesMs: readonly number[];
  /** Median time until the first socket had it, in ms. */
  readonly firstSocketMs: number;
  /** Frames delivered per second to the user's sockets (sockets / lastSocketMs). */
  readonly framesPerSecond: number;
  /** Frames that were wrong, missing or delivered to another user's socket (must be 0). */
  readonly faults: number;
}

interface NotifyResponse {
  readonly notificationId: string;
  readonly connections: number;
}

/** Sends a text and waits for the next message: after it, the server has registered the socket. */
function roundTrip(socket: WebSocket, text: string): Promise<void> {
  return new Promise((resolve) => {
    socket.once('message', () => {
      resolve();
    });
    socket.send(text);
  });
}

/**
 * Opens `sockets` sockets of one user and `others` of another, then sends `repetitions`
 * notifications to the first user, one after the other.
 */
export async function measureFanOut(
  target: FanOutTarget,
  sockets: number,
  others: number,
  repetitions: number,
  timeoutMs = 60_000,
): Promise<FanOutFigures> {
  const run = `${Date.now().toString(36)}-${sockets}`;
  const userId = `fan-${run}`;
  const otherId = `other-${run}`;
  const userUrl = await target.socketUrl(userId);
  const otherUrl = await target.socketUrl(otherId);
  const clients = await openClients(sockets + others, { url: (i) => (i < sockets ? userUrl : otherUrl) });
  const mine = clients.slice(0, sockets);
  const theirs = clients.slice(sockets);
  let faults = 0;
  try {
    // A ping answered means the server has run its connect for that socket (frames queue behind it).
    for (let start = 0; start < clients.length; start += 1_000) {
      await Promise.all(
        clients.slice(start, start + 1_000).map((socket) => roundTrip(socket, '{"action":"ping"}')),
      );
    }
    let strayFrames = 0;
    for (const socket of theirs) socket.on('message', () => (strayFrames += 1));
    const lastTimes: number[] = [];
    const firstTimes: number[] = [];
    for (let rep = 0; rep < repetitions; rep++) {
      const data = { kind: 'export.ready', exportId: `e-${run}-${rep}`, url: `/exports/e-${run}-${rep}` };
      const frames = new Array<string | undefined>(sockets);
      const arrivals = new Float64Array(sockets);
      let received = 0;
      let allReceived: () => void = () => undefined;
      const everyone = new Promise<void>((resolve) => (allReceived = resolve));
      const listeners = mine.map((socket, i) => {
        const listener = (raw: RawData): void => {
          if (frames[i] !== undefined) {
            faults += 1; // a second frame for one notification
            return;
          }
          arrivals[i] = performance.now();
          frames[i] = rawDataText(raw);
          received += 1;
          if (received === sockets) allReceived();
        };
        socket.on('message', listener);
        return listener;
      });
      const started = performance.now();
      const response = await fetch(`${target.httpUrl}/notify`, {
        method: 'POST',
        headers: { authorization: `Bearer ${target.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ userId, data }),
      });
      if (response.status !== 202)
        throw new Error(`${target.name}: POST /notify answered ${response.status}`);
      const { notificationId, connections } = (await response.json()) as NotifyResponse;
      if (connections !== sockets)
        throw new Error(`${target.name}: notified ${connections} of ${sockets} sockets`);
      const timer = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
      await Promise.race([everyone, timer]);
      mine.forEach((socket, i) => socket.off('message', listeners[i]!));
      let last = 0;
      let first = Number.POSITIVE_INFINITY;
      for (let i = 0; i < sockets; i++) {
        const frame = frames[i];
        if (frame === undefined || !isNotification(frame, notificationId, data)) {
          faults += 1;
          continue;
        }
        last = Math.max(last, arrivals[i]!);
        first = Math.min(first, arrivals[i]!);
      }
      lastTimes.push(last - started);
      firstTimes.push(first - started);
    }
    faults += strayFrames;
    const lastSocketMs = median(lastTimes);
    return {
      sockets,
      repetitions,
      lastSocketMs,
      lastSocketTimesMs: lastTimes,
      firstSocketMs: median(firstTimes),
      framesPerSecond: sockets / (lastSocketMs / 1000),
      faults,
    };
  } finally {
    closeClients(clients);
  }
}

function isNotification(frame: string, id: string, data: unknown): boolean {
  const parsed = JSON.parse(frame) as { type?: unknown; id?: unknown; data?: unknown };
  return (
    parsed.type === 'notification' &&
    parsed.id === id &&
    JSON.stringify(parsed.data) === JSON.stringify(data) &&
    Object.keys(parsed).length === 3
  );
}
