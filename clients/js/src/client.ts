import { PushlineError } from './errors.js';
import {
  type ClientState,
  type Command,
  ConnectionMachine,
  type MachineEvent,
  type MachineSettings,
  type Notification,
  type Position,
  type Reset,
  type ServerFrame,
} from './machine.js';
import {
  type Transport,
  type TransportSocket,
  type WebSocketConstructor,
  webSocketTransport,
} from './transport.js';

/** Time for the client: `Date.now` and the global timers unless a test passes its own. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options of {@link PushlineClient}; every duration is in milliseconds. */
export interface PushlineClientOptions {
  /** The WebSocket URL: `wss://…/production` on AWS, `ws://127.0.0.1:3001/local` in `pnpm dev`, `ws://127.0.0.1:8080/` for the standalone server. */
  url: string;
  /**
   * The JWT, or a function that returns a fresh one. With a function the client asks again when a
   * token is refused or about to expire, and re-authorizes in band before its `exp`; a fixed string
   * that is refused stops the client.
   */
  token: string | (() => string | Promise<string>);
  /** The `WebSocket` constructor; defaults to `globalThis.WebSocket`. On Node 20 pass `ws`'s. */
  WebSocket?: WebSocketConstructor;
  /**
   * `'connect'` (default) puts the token in the URL (`?token=`), the only way in auth mode `connect`;
   * `'in-band'` connects without it and sends `{"action":"authorize"}`, keeping the token out of URLs and logs.
   */
  authorizeAt?: 'connect' | 'in-band';
  /** Send a `ping` when nothing was sent, or nothing heard, for this long; default 480000 (8 min: under API Gateway's 10-minute idle close even when a background tab delays the timer by a minute). */
  keepAliveMs?: number;
  /** A socket that answers nothing for this long after a ping is replaced; default 10000. */
  pongTimeoutMs?: number;
  /** Open, authorize and resume must finish within this, or the socket is replaced; also bounds the make-before-break overlap; default 10000. */
  connectTimeoutMs?: number;
  /** Default timeout of {@link PushlineClient.request}; default 10000. */
  requestTimeoutMs?: number;
  /** The first reconnect waits a random time in [0, this); each failure doubles the window (handshakes that keep failing in the first `maxReconnectDelayMs` of a run narrow it again, down to this); default 5000. */
  reconnectDelayMs?: number;
  /** The largest reconnect window; default 30000. */
  maxReconnectDelayMs?: number;
  /** The server's connection cap (API Gateway: 2 hours, default 7200000). */
  maxConnectionMs?: number;
  /** Replace the socket at least this long before the cap; default 300000. */
  rotateLeadMs?: number;
  /** … at a random time within a window this long before that; default 600000. */
  rotateWindowMs?: number;
  /** How long a notification after a gap waits for the missing ones before a resume asks for them; default 1000. */
  gapWaitMs?: number;
  /** Refused tokens (or failing `token()` calls) in a row that stop the client; default 3. */
  maxAuthFailures?: number;
  /** Re-authorize in band this long before the token's `exp`; default 60000. */
  tokenRefreshMs?: number;
  /**
   * Where the app left off, from {@link PushlineClient.position} saved by an earlier page or process
   * (e.g. in `sessionStorage`): the first resume asks for what came after it, so a page reload
   * misses nothing within the server's retention. Default: none (the first resume only learns the
   * current position).
   */
  position?: Position;
  /** Replaces the WebSocket transport (tests, other socket libraries). */
  transport?: Transport;
  /** Replaces `Date.now` and the global timers (tests). */
  clock?: Clock;
  /** Replaces `Math.random` (tests). */
  random?: () => number;
}

/** Events of {@link PushlineClient.on} and what each listener receives. */
export interface PushlineClientEvents {
  /** A notification, each exactly once; those with a `seq` in `seq` order. */
  notification: Notification;
  /** The connection state changed. */
  state: ClientState;
  /** A resume could not recover what was missed: reload the app's state. */
  reset: Reset;
  /** An error frame that answers no request, or the error that stopped the client (then `state` becomes `'closed'`). */
  error: PushlineError;
}

type Listeners = { [K in keyof PushlineClientEvents]: Set<(value: PushlineClientEvents[K]) => void> };

const DEFAULTS = {
  keepAliveMs: 480_000,
  pongTimeoutMs: 10_000,
  connectTimeoutMs: 10_000,
  requestTimeoutMs: 10_000,
  reconnectDelayMs: 5_000,
  maxReconnectDelayMs: 30_000,
  maxConnectionMs: 7_200_000,
  rotateLeadMs: 300_000,
  rotateWindowMs: 600_000,
  gapWaitMs: 1_000,
  maxAuthFailures: 3,
  tokenRefreshMs: 60_000,
};

/** A copy of a saved position, or null when it is not one. */
function positionOf(value: unknown): Position | null {
  if (typeof value !== 'object' || value === null) return null;
  const { epoch, seq } = value as Record<string, unknown>;
  return typeof epoch === 'string' && Number.isSafeInteger(seq) && (seq as number) >= 0
    ? { epoch, seq: seq as number }
    : null;
}

const globals = globalThis as unknown as {
  WebSocket?: WebSocketConstructor;
  addEventListener?: (type: string, listener: () => void) => void;
  removeEventListener?: (type: string, listener: () => void) => void;
  document?: {
    visibilityState?: string;
    addEventListener(type: string, listener: () => void): void;
    removeEventListener(type: string, listener: () => void): void;
  };
};

/**
 * A Pushline connection that stays up: it reconnects with jittered backoff, keeps the socket alive,
 * replaces it before the server's connection cap (make-before-break), and resumes after every
 * reconnect so that the app sees every notification of its user once, in order, or a `reset`.
 *
 * @example
 * ```ts
 * const client = new PushlineClient({ url: 'wss://…/production', token: () => fetchToken() });
 * client.on('notification', (n) => console.log(n.seq, n.data));
 * await client.ready();
 * ```
 */
export class PushlineClient {
  private readonly machine: ConnectionMachine;
  private readonly transport: Transport;
  private readonly clock: Clock;
  private readonly token: PushlineClientOptions['token'];
  private readonly requestTimeoutMs: number;
  private readonly sockets = new Map<number, TransportSocket>();
  private readonly listeners: Listeners = {
    notification: new Set(),
    state: new Set(),
    reset: new Set(),
    error: new Set(),
  };
  private readonly pending = new Map<
    string,
    [(frame: ServerFrame) => void, (error: PushlineError) => void]
  >();
  private waiters: [() => void, (error: PushlineError) => void][] = [];
  private queue: MachineEvent[] = [];
  private busy = false;
  private timer: unknown;
  private timerAt = Infinity;
  private ids = 0;
  private fatal: PushlineError | undefined;
  private unlisten: (() => void) | undefined;

  /**
   * Starts connecting (in a microtask, so listeners added right after the constructor hear every event).
   * @throws TypeError for a URL that is not ws:// or wss://, a missing token, or no WebSocket available;
   *   RangeError for a duration that is not a positive number or a rotation window longer than the cap.
   */
  constructor(options: PushlineClientOptions) {
    const { url, token } = options;
    if (typeof url !== 'string' || !/^wss?:\/\/./.test(url))
      throw new TypeError('url must be a ws:// or wss:// URL');
    if (typeof token !== 'function' && (typeof token !== 'string' || token === ''))
      throw new TypeError('token must be a non-empty string or a function');
    const settings = { ...DEFAULTS };
    for (const key of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
      const value = options[key];
      if (value !== undefined) {
        if (typeof value !== 'number' || !(value >= 0) || value === Infinity)
          throw new RangeError(`${key} must be a finite number ≥ 0`);
        settings[key] = value;
      }
    }
    if (
      settings.rotateLeadMs + settings.rotateWindowMs + settings.connectTimeoutMs >=
      settings.maxConnectionMs
    )
      throw new RangeError(
        'rotateLeadMs + rotateWindowMs + connectTimeoutMs must be less than maxConnectionMs',
      );
    // Checked as unknown: a saved position comes back from storage, typed by nobody.
    const saved = options.position as unknown;
    const position = saved === undefined ? undefined : positionOf(saved);
    if (position === null) throw new TypeError('position must be { epoch: string, seq: integer ≥ 0 }');
    const WebSocketClass = options.WebSocket ?? globals.WebSocket;
    const transport = options.transport ?? (WebSocketClass && webSocketTransport(WebSocketClass));
    if (!transport) throw new TypeError('no WebSocket here: pass the WebSocket option (on Node 20: ws)');
    this.transport = transport;
    this.token = token;
    this.requestTimeoutMs = settings.requestTimeoutMs;
    this.clock = options.clock ?? {
      now: () => Date.now(),
      setTimeout: (callback, ms) => setTimeout(callback, ms),
      clearTimeout: (handle) => {
        clearTimeout(handle as ReturnType<typeof setTimeout>);
      },
    };
    const machineSettings: MachineSettings = {
      ...settings,
      url,
      authorizeAt: options.authorizeAt === 'in-band' ? 'in-band' : 'connect',
      renewableToken: typeof token === 'function',
      random: options.random ?? Math.random,
      ...(position ? { position } : {}),
    };
    this.machine = new ConnectionMachine(machineSettings, typeof token === 'string' ? token : undefined);
    this.listen();
    void Promise.resolve().then(() => {
      this.dispatch({ type: 'start' });
    });
  }

  /** The current connection state. */
  get state(): ClientState {
    return this.machine.state;
  }

  /**
   * The position in the user's stream of the last notification handed to the app (or the current
   * one, after a resume with nothing missed or a `reset`); undefined until the first resume reply.
   * Save it (after each `notification` and `reset`) and pass it as the `position` option of the
   * next client to pick up where this one stopped.
   */
  get position(): Position | undefined {
    return this.machine.position();
  }

  /**
   * Adds a listener; returns a function that removes it. A listener that throws does not disturb
   * the client: the error is rethrown in a microtask.
   */
  on<K extends keyof PushlineClientEvents>(
    event: K,
    listener: (value: PushlineClientEvents[K]) => void,
  ): () => void {
    const set = this.listeners[event] as Set<(value: PushlineClientEvents[K]) => void>;
    set.add(listener);
    return () => set.delete(listener);
  }

  /**
   * Resolves once a socket is authorized and placed in the user's stream (state `'ready'`), at
   * once if it is now. Without a `position`, that is after the first `resume` reply (the
   * baseline), so a notification sent after `ready()` resolves always reaches the app.
   * Rejects with the error that stopped the client (`UNAUTHORIZED`, `TOKEN_FAILED`, `TOKEN_EXPIRED`) or `CLOSED`.
   */
  ready(): Promise<void> {
    const state = this.machine.state;
    if (state === 'ready') return Promise.resolve();
    if (state === 'closed') return Promise.reject(this.closedError());
    return new Promise((resolve, reject) => this.waiters.push([resolve, reject]));
  }

  /**
   * Sends a frame (an object with a string `action`) with a fresh `requestId` and resolves with the
   * reply that echoes it. Waits for an authorized socket first (and during a make-before-break
   * replacement); the timeout counts from the call.
   * Rejects with a {@link PushlineError}: the server's `code` for an `error` reply; `TIMEOUT`;
   * `DISCONNECTED` when the socket closed before the reply (the server may have handled the frame);
   * `CLOSED` (or the error that stopped the client).
   */
  request(frame: Record<string, unknown>, options: { timeoutMs?: number } = {}): Promise<ServerFrame> {
    if (typeof frame !== 'object' || typeof frame.action !== 'string')
      return Promise.reject(new TypeError('a request is an object with a string action'));
    if (this.machine.state === 'closed') return Promise.reject(this.closedError());
    const id = `q${++this.ids}`;
    return new Promise((resolve, reject) => {
      this.pending.set(id, [resolve, reject]);
      this.dispatch({ type: 'request', id, frame, timeoutMs: options.timeoutMs ?? this.requestTimeoutMs });
    });
  }

  /** Closes the socket(s) and stops for good; pending requests and `ready()` reject with `CLOSED`. */
  close(): void {
    this.dispatch({ type: 'close' });
    this.unlisten?.();
  }

  private closedError(): PushlineError {
    return this.fatal ?? new PushlineError('CLOSED', 'the client was closed');
  }

  /** Online, offline and visibility events where there are any (browsers). */
  private listen(): void {
    const { addEventListener, removeEventListener, document } = globals;
    if (typeof addEventListener !== 'function' || typeof removeEventListener !== 'function') return;
    const online = () => {
      this.dispatch({ type: 'online' });
    };
    const wake = () => {
      if (document?.visibilityState !== 'hidden') this.dispatch({ type: 'wake' });
    };
    addEventListener('online', online);
    addEventListener('offline', wake);
    document?.addEventListener('visibilitychange', wake);
    this.unlisten = () => {
      removeEventListener('online', online);
      removeEventListener('offline', wake);
      document?.removeEventListener('visibilitychange', wake);
    };
  }

  private dispatch(event: MachineEvent): void {
    this.queue.push(event);
    if (this.busy) return;
    this.busy = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift())
        for (const command of this.machine.step(this.clock.now(), next)) this.run(command);
    } finally {
      this.busy = false;
    }
    this.schedule();
  }

  private schedule(): void {
    const at = this.machine.deadline();
    if (at === this.timerAt) return;
    if (this.timerAt !== Infinity) this.clock.clearTimeout(this.timer);
    this.timerAt = at;
    if (at === Infinity) return;
    this.timer = this.clock.setTimeout(
      () => {
        this.timerAt = Infinity;
        this.dispatch({ type: 'tick' });
      },
      Math.max(0, at - this.clock.now()),
    );
  }

  private emit<K extends keyof PushlineClientEvents>(event: K, value: PushlineClientEvents[K]): void {
    for (const listener of this.listeners[event] as Set<(value: PushlineClientEvents[K]) => void>)
      try {
        listener(value);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
  }

  private run(command: Command): void {
    switch (command.type) {
      case 'open': {
        const id = command.socket;
        const sink = {
          opened: () => {
            this.dispatch({ type: 'opened', socket: id });
          },
          message: (data: string) => {
            this.dispatch({ type: 'message', socket: id, data });
          },
          closed: (refused: boolean) => {
            this.sockets.delete(id);
            this.dispatch({ type: 'closed', socket: id, refused });
          },
        };
        try {
          this.sockets.set(id, this.transport.open(command.url, sink));
        } catch {
          sink.closed(false);
        }
        break;
      }
      case 'send':
        this.sockets.get(command.socket)?.send(command.data);
        break;
      case 'close':
        this.sockets.get(command.socket)?.close();
        this.sockets.delete(command.socket);
        break;
      case 'fetchToken': {
        const source = this.token as () => string | Promise<string>;
        Promise.resolve()
          .then(source)
          .then(
            (token) => {
              this.dispatch(
                typeof token === 'string' && token !== ''
                  ? { type: 'token', token }
                  : { type: 'tokenFailed' },
              );
            },
            () => {
              this.dispatch({ type: 'tokenFailed' });
            },
          );
        break;
      }
      case 'state': {
        const { state } = command;
        if (state === 'ready' || state === 'closed') {
          const waiters = this.waiters;
          this.waiters = [];
          for (const [resolve, reject] of waiters) {
            if (state === 'ready') resolve();
            else reject(this.closedError());
          }
        }
        if (state === 'closed') {
          this.unlisten?.();
          if (this.timerAt !== Infinity) this.clock.clearTimeout(this.timer);
          this.timerAt = Infinity;
        }
        this.emit('state', state);
        break;
      }
      case 'notification':
        this.emit('notification', command.notification);
        break;
      case 'reset':
        this.emit('reset', command.reset);
        break;
      case 'reply': {
        const settle = this.pending.get(command.id);
        this.pending.delete(command.id);
        const { frame } = command;
        if (!settle) break;
        if (frame && frame.type !== 'error') settle[0](frame);
        else
          settle[1](
            new PushlineError(
              String(frame ? frame.code : command.code),
              String(frame ? frame.message : command.message),
              frame,
            ),
          );
        break;
      }
      case 'error': {
        const error = new PushlineError(command.code, command.message, command.frame);
        if (this.machine.state === 'closed') this.fatal = error;
        this.emit('error', error);
        break;
      }
    }
  }
}
