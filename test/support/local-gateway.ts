// Helpers for tests that run the local API Gateway: a `ws` client that records what it receives,
// and fixture handlers. Every helper that opens something returns a way to close it.
import { rawDataBytes } from '@pushline/adapters/ws';
import type { ClientRequestArgs, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import {
  type LocalGateway,
  type LocalGatewayLogEntry,
  type LocalGatewayOptions,
  startLocalGateway,
  type WebSocketEvent,
} from '@pushline/local';
import { type ClientOptions, WebSocket } from 'ws';

/** How long a helper waits for something that should happen, at most. */
export const WAIT_MS = 10_000;

/** A close as the client saw it. */
export interface ClientClose {
  readonly code: number;
  readonly reason: string;
}

/** Rejects after `ms` with a message naming what was awaited. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` every 10 ms until it holds; rejects after `ms`. */
export async function eventually(
  condition: () => boolean,
  ms = WAIT_MS,
  what = 'a condition',
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** A `ws` client that records every message and its close. */
export class TestClient {
  readonly frames: string[] = [];
  readonly binaryFrames: Buffer[] = [];
  private cursor = 0;
  private readonly waiters: (() => void)[] = [];
  readonly closedWith: Promise<ClientClose>;
  close: ClientClose | undefined;
  /** The headers of the 101 response. */
  upgradeHeaders: IncomingHttpHeaders = {};

  constructor(readonly socket: WebSocket) {
    socket.once('upgrade', (response: IncomingMessage) => {
      this.upgradeHeaders = response.headers;
    });
    socket.on('message', (data, isBinary) => {
      const buffer = rawDataBytes(data);
      if (isBinary) this.binaryFrames.push(buffer);
      else this.frames.push(buffer.toString('utf8'));
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closedWith = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        this.close = { code, reason: reason.toString('utf8') };
        resolve(this.close);
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
    socket.on('error', () => undefined);
  }

  /** The next message not yet returned by `nextFrame`. */
  async nextFrame(ms = WAIT_MS): Promise<string> {
    const deadline = Date.now() + ms;
    while (this.cursor >= this.frames.length) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no frame within ${ms} ms (received ${this.frames.length})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const frame = this.frames[this.cursor] ?? '';
    this.cursor += 1;
    return frame;
  }

  /** Messages that arrive within `ms` (for "nothing is sent" assertions). */
  async framesWithin(ms: number): Promise<readonly string[]> {
    const start = this.frames.length;
    await sleep(ms);
    return this.frames.slice(start);
  }

  send(text: string | Buffer, options: { binary?: boolean; fin?: boolean } = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.send(text, options, (error) => {
        if (error) reject(error);
        else resolve();
      });
    });
  }

  /** Closes from the client side and waits for the close handshake. */
  async end(code?: number, reason?: string): Promise<ClientClose> {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) {
      this.socket.close(code, reason);
    }
    return within(this.closedWith, WAIT_MS, 'the client close');
  }

  /** Resolves with the close the client saw. */
  closed(ms = WAIT_MS): Promise<ClientClose> {
    return within(this.closedWith, ms, 'the socket to close');
  }

  isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }
}

export interface ConnectOptions {
  readonly query?: string;
  readonly headers?: Record<string, string>;
  readonly protocols?: string | string[];
  readonly ws?: ClientOptions | ClientRequestArgs;
}

/** Opens a client; rejects with the `ws` error (e.g. `Unexpected server response: 401`) if refused. */
export function connect(gateway: LocalGateway | string, options: ConnectOptions = {}): Promise<TestClient> {
  const base = typeof gateway === 'string' ? gateway : gateway.url;
  const url = options.query === undefined ? base : `${base}?${options.query}`;
  const socket = new WebSocket(url, options.protocols ?? [], {
    ...(options.headers === undefined ? {} : { headers: options.headers }),
    ...options.ws,
  });
  const client = new TestClient(socket);
  return within(
    new Promise<TestClient>((resolve, reject) => {
      socket.once('open', () => {
        resolve(client);
      });
      socket.once('error', reject);
    }),
    WAIT_MS,
    'the handshake',
  );
}

/** The HTTP status of a refused handshake (parsed from `ws`'s `Unexpected server response: N`). */
export async function refusedStatus(gateway: LocalGateway, options: ConnectOptions = {}): Promise<number> {
  try {
    const client = await connect(gateway, options);
    await client.end();
  } catch (error) {
    const match = /Unexpected server response: (\d+)/.exec(error instanceof Error ? error.message : '');
    if (match?.[1] !== undefined) return Number(match[1]);
    throw error;
  }
  throw new Error('the handshake was accepted');
}

/** A log sink that keeps entries for assertions and keeps test output quiet. */
export function memoryLog(): { entries: LocalGatewayLogEntry[]; log: (entry: LocalGatewayLogEntry) => void } {
  const entries: LocalGatewayLogEntry[] = [];
  return { entries, log: (entry) => entries.push(entry) };
}

/**
 * Starts a gateway with a quiet log, runs `body`, and closes the gateway (and any client left
 * open) whatever happens.
 */
export async function withGateway<T>(
  options: LocalGatewayOptions,
  body: (gateway: LocalGateway) => Promise<T>,
): Promise<T> {
  const gateway = await startLocalGateway({ log: () => undefined, ...options });
  try {
    return await body(gateway);
  } finally {
    await gateway.close();
  }
}

/** Records every event the handlers it makes receive, by connection and by route. */
export class EventProbe {
  readonly events: WebSocketEvent[] = [];

  record(event: WebSocketEvent): void {
    this.events.push(event);
  }

  of(connectionId: string, eventType?: WebSocketEvent['requestContext']['eventType']): WebSocketEvent[] {
    return this.events.filter(
      (event) =>
        event.requestContext.connectionId === connectionId &&
        (eventType === undefined || event.requestContext.eventType === eventType),
    );
  }

  byType(eventType: WebSocketEvent['requestContext']['eventType']): WebSocketEvent[] {
    return this.events.filter((event) => event.requestContext.eventType === eventType);
  }
}

/** An HTTP exchange with the gateway, read completely. */
export interface HttpExchange {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

/** A plain HTTP request (unsigned) to the gateway. */
export async function http(
  method: string,
  url: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<HttpExchange> {
  const response = await fetch(url, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : new Uint8Array(body) }),
    signal: AbortSignal.timeout(WAIT_MS),
  });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** `{managementEndpoint}/@connections/{id}` with the id URL-encoded as the SDK does. */
export function connectionUrl(gateway: LocalGateway, connectionId: string): string {
  return `${gateway.managementEndpoint}/@connections/${encodeURIComponent(connectionId)}`;
}

/** A two-way route that answers with the caller's connection id. */
export const whoamiRoute = {
  handler: (event: WebSocketEvent) =>
    Promise.resolve({ statusCode: 200, body: event.requestContext.connectionId }),
  twoWay: true,
} as const;

/** Asks the `whoami` route for the client's connection id. */
export async function whoami(client: TestClient): Promise<string> {
  await client.send('{"action":"whoami"}');
  return client.nextFrame();
}
