// Round trips: N clients, each sending a ping and waiting for its reply before the next one
// (a closed loop), against one server at a time in its own process. Every target is driven by
// the same client code on raw `ws` sockets; only the bytes differ: Pushline's ping and pong,
// the same text echoed by the raw ws server, and Socket.IO's event packets (Engine.IO v4 over
// WebSocket, `42["ping",{…}]` → `42["pong",{…}]`), so client cost is equal for all three.
import { rawDataText } from '@pushline/adapters/ws';
import { performance } from 'node:perf_hooks';
import { io } from 'socket.io-client';
import type { RawData, WebSocket } from 'ws';
import { closeClients, openClients, quantile, sleep } from './support/clients.js';

/** How a target speaks: what client `i` sends, and the exact reply it expects. */
export interface Dialect {
  readonly name: string;
  /** URL for client `i` (Pushline: with its token). */
  readonly url: (i: number) => string;
  readonly request: (i: number) => string;
  readonly reply: (i: number) => string;
  /** Anything to do after `open` before the first request (Socket.IO's namespace connect). */
  readonly handshake?: (socket: WebSocket) => Promise<void>;
  /** Handles a control message (Engine.IO's heartbeat); true when the message was one. */
  readonly control?: (socket: WebSocket, text: string) => boolean;
}

/** What one measurement found. */
export interface RoundTripFigures {
  readonly clients: number;
  readonly seconds: number;
  readonly roundTripsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Replies that were not the expected bytes (must be 0). */
  readonly wrongReplies: number;
  /** The server process's CPU time (user + system) per round trip, in µs; NaN when not measured. */
  readonly serverMicrosPerRoundTrip: number;
}

const ping = (i: number): string => `{"action":"ping","name":"c${i}"}`;
/** Pushline's answer to {@link ping}. */
const pong = (i: number): string => `{"type":"pong","name":"c${i}"}`;

export function rawWsDialect(url: string): Dialect {
  return { name: 'raw ws echo', url: () => url, request: ping, reply: ping };
}

/** The raw ws server's `/pong` path: each frame parsed, Pushline's pong serialised, nothing else. */
export function rawJsonPongDialect(url: string): Dialect {
  const pongUrl = new URL('pong', url).href;
  return {
    name: 'raw ws JSON pong',
    url: () => pongUrl,
    request: ping,
    reply: pong,
  };
}

export function pushlineDialect(url: string, tokens: readonly string[]): Dialect {
  return {
    name: 'Pushline server',
    url: (i) => `${url}?token=${tokens[i % tokens.length] ?? ''}`,
    request: ping,
    reply: pong,
  };
}

export function socketIoDialect(url: string): Dialect {
  return {
    name: 'Socket.IO 4',
    url: () => url,
    request: (i) => `42["ping",{"name":"c${i}"}]`,
    reply: (i) => `42["pong",{"name":"c${i}"}]`,
    // Engine.IO sends its open packet (`0{…}`); the client joins the main namespace with `40`
    // and is in once the server answers `40{"sid":…}`.
    handshake: (socket) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error('no Socket.IO handshake'));
        }, 30_000);
        const onMessage = (data: RawData): void => {
          const text = rawDataText(data);
          if (text.startsWith('0')) socket.send('40');
          else if (text.startsWith('40')) {
            clearTimeout(timer);
            socket.off('message', onMessage);
            resolve();
          }
        };
        socket.on('message', onMessage);
      }),
    // Engine.IO's heartbeat: the server pings (`2`) every 25 s, the client must pong (`3`).
    control: (socket, text) => {
      if (text !== '2') return false;
      socket.send('3');
      return true;
    },
  };
}

/** A set of clients whose closed loop can be started and stopped, slice after slice. */
export interface ClosedLoop {
  /** Runs the loop for `seconds`, then stops and waits for the requests in flight. */
  run(seconds: number, measure: boolean): Promise<void>;
  /** What the measured slices add up to. */
  figures(): RoundTripFigures;
  close(): void;
}

/**
 * Opens `clients` sockets of one target. Each `run` is a slice of closed-loop traffic: every
 * client sends, waits for its reply, sends again, until the slice ends. Slices of several
 * targets can alternate many times, so load from elsewhere on the machine falls on all alike.
 */
export async function openClosedLoop(
  dialect: Dialect,
  clients: number,
  /** The server process's CPU time so far (µs), read around each measured slice. */
  serverCpuMicros?: () => Promise<number>,
): Promise<ClosedLoop> {
  // Socket.IO's handshake waits for its open packet, so its listener goes on at creation.
  const { handshake } = dialect;
  const sockets = await openClients(clients, {
    url: (i) => dialect.url(i),
    ...(handshake === undefined ? {} : { prepare: (socket: WebSocket) => handshake(socket) }),
  });
  let running = false;
  let measuring = false;
  let inFlight = 0;
  let drained: () => void = () => undefined;
  let completed = 0;
  let wrong = 0;
  let measuredSeconds = 0;
  // Every reply of a measured slice, the ones after its end too: the server's CPU time covers them.
  let answered = 0;
  let serverMicros = 0;
  let serverAnswered = 0;
  // Latencies in ms; up to ~2 million round trips, then sampled by overwrite.
  const latencies = new Float64Array(2_000_000);
  let recorded = 0;
  const sentAt = new Float64Array(clients);
  const requests = sockets.map((_, i) => dialect.request(i));
  const send = (i: number): void => {
    sentAt[i] = performance.now();
    inFlight += 1;
    sockets[i]?.send(requests[i]!);
  };
  sockets.forEach((socket, i) => {
    const expected = dialect.reply(i);
    socket.on('message', (data: RawData) => {
      const text = rawDataText(data);
      if (dialect.control?.(socket, text) === true) return;
      inFlight -= 1;
      answered += 1;
      if (text !== expected) wrong += 1;
      if (measuring) {
        completed += 1;
        latencies[recorded % latencies.length] = performance.now() - sentAt[i]!;
        recorded += 1;
      }
      if (running) send(i);
      else if (inFlight === 0) drained();
    });
  });
  return {
    async run(seconds, measure) {
      const cpuBefore = measure ? await serverCpuMicros?.() : undefined;
      const answeredBefore = answered;
      running = true;
      measuring = measure;
      const started = performance.now();
      for (let i = 0; i < sockets.length; i++) send(i);
      await sleep(seconds * 1000);
      running = false;
      if (measure) measuredSeconds += (performance.now() - started) / 1000;
      // Replies that land after the slice's end are not counted (measuring is off by then).
      measuring = false;
      if (inFlight > 0)
        await Promise.race([new Promise<void>((resolve) => (drained = resolve)), sleep(10_000)]);
      if (inFlight > 0) throw new Error(`${dialect.name}: ${inFlight} replies missing after the slice`);
      if (cpuBefore !== undefined && serverCpuMicros !== undefined) {
        serverMicros += (await serverCpuMicros()) - cpuBefore;
        serverAnswered += answered - answeredBefore;
      }
    },
    figures() {
      const sorted = latencies.slice(0, Math.min(recorded, latencies.length)).sort();
      return {
        clients,
        seconds: measuredSeconds,
        roundTripsPerSecond: completed / measuredSeconds,
        p50Ms: quantile(sorted, 0.5),
        p99Ms: quantile(sorted, 0.99),
        wrongReplies: wrong,
        serverMicrosPerRoundTrip: serverAnswered > 0 ? serverMicros / serverAnswered : Number.NaN,
      };
    },
    close() {
      closeClients(sockets);
    },
  };
}

/**
 * Checks the Socket.IO server with the official client (`socket.io-client`): a `ping` with
 * `{name}` must come back as a `pong` with the same object. The measured clients speak the
 * same packets over raw `ws` (see {@link socketIoDialect}), so this pins that they match.
 */
export async function checkSocketIoWithOfficialClient(httpUrl: string): Promise<void> {
  const socket = io(httpUrl, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    timeout: 10_000,
  });
  try {
    const reply = await new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error('Socket.IO: no pong from the official client'));
      }, 10_000);
      socket.once('connect_error', (error: Error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.once('pong', (payload: unknown) => {
        clearTimeout(timer);
        resolve(payload);
      });
      socket.emit('ping', { name: 'check' });
    });
    if (JSON.stringify(reply) !== '{"name":"check"}')
      throw new Error(`Socket.IO: unexpected pong ${JSON.stringify(reply)}`);
  } finally {
    socket.disconnect();
  }
}
