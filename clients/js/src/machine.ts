// The client's state machine: pure. Events go in with the time they happened; commands come out
// (open, send, close a socket, ask for a token, emit to the app). No timers, no sockets, no
// globals: randomness comes in through the settings, time with every event, so a test can run
// hours of reconnects on a fake clock. `PushlineClient` is the thin driver around it.

/** The client's connection state, as the `state` event reports it. */
export type ClientState = 'connecting' | 'open' | 'ready' | 'reconnecting' | 'closed';

/** A notification as the app receives it. */
export interface Notification {
  /** The notification's id (the same on every socket of the user). */
  id: string;
  /** Its position in the user's stream (+1 per stored notification); absent for a notification addressed to one connection. */
  seq?: number;
  /** The stream's epoch; it changes when the server lost the stream. */
  epoch?: string;
  /** The JSON value that was sent. */
  data: unknown;
  /** `true` when only a `resume` reply brought it (sent while the client had no socket, or its live copy never came); absent when it came live. */
  recovered?: true;
}

/** What a `reset` event carries: the server could not recover what was missed. */
export interface Reset {
  /** `STREAM_RESET` (the stream was lost), `TOO_OLD` (past retention) or `TOO_MANY` (more than one reply holds). */
  reason: string;
  /** The stream's epoch from now on. */
  epoch: string;
  /** The stream's top: notifications after it will follow. */
  seq: number;
}

/** A frame the server sent: a JSON object with a string `type`. */
export type ServerFrame = Readonly<Record<string, unknown>> & { readonly type: string };

/** How the machine behaves; every duration in milliseconds. The driver fills in the defaults. */
export interface MachineSettings {
  url: string;
  authorizeAt: 'connect' | 'in-band';
  /** Whether a fresh token can be asked for (the token option is a function). */
  renewableToken: boolean;
  keepAliveMs: number;
  pongTimeoutMs: number;
  connectTimeoutMs: number;
  reconnectDelayMs: number;
  maxReconnectDelayMs: number;
  maxConnectionMs: number;
  rotateLeadMs: number;
  rotateWindowMs: number;
  gapWaitMs: number;
  maxAuthFailures: number;
  tokenRefreshMs: number;
  /** A number in [0, 1), like `Math.random`. */
  random: () => number;
  /** Where the app left off (saved from an earlier page or process): the first resume asks from there. */
  position?: Position;
}

/** A place in the user's stream: the last notification handed to the app, under its epoch. */
export interface Position {
  epoch: string;
  seq: number;
}

/** What happened, as the driver tells the machine. */
export type MachineEvent =
  | { type: 'start' }
  | { type: 'tick' }
  | { type: 'opened'; socket: number }
  | { type: 'message'; socket: number; data: string }
  /** The socket closed, or failed to open; `refused` when the handshake was answered 401 or 403. */
  | { type: 'closed'; socket: number; refused?: boolean }
  | { type: 'token'; token: string }
  | { type: 'tokenFailed' }
  | { type: 'request'; id: string; frame: Readonly<Record<string, unknown>>; timeoutMs: number }
  /** The network came back (`online`): retry now. */
  | { type: 'online' }
  /** The page became visible or went offline: timers may have been throttled, check the socket. */
  | { type: 'wake' }
  | { type: 'close' };

/** What the driver must do. */
export type Command =
  | { type: 'open'; socket: number; url: string }
  | { type: 'send'; socket: number; data: string }
  | { type: 'close'; socket: number }
  | { type: 'fetchToken' }
  | { type: 'state'; state: ClientState }
  | { type: 'notification'; notification: Notification }
  | { type: 'reset'; reset: Reset }
  | { type: 'reply'; id: string; frame?: ServerFrame; code?: string; message?: string }
  | { type: 'error'; code: string; message: string; frame?: ServerFrame };

interface Advice {
  reconnect: unknown;
  afterMs: number;
}

interface Socket {
  id: number;
  opened: boolean;
  authorized: boolean;
  /** Deadline of the handshake (open, authorize, resume) or of a resume on a live socket. */
  by: number | undefined;
  /** requestId of the resume in flight. */
  resuming: string | undefined;
  /** requestId of the last authorize sent. */
  authId: string | undefined;
  /** Live notifications that arrived while a resume was in flight. */
  buffer: Notification[];
  readyAt: number | undefined;
  lastSent: number;
  lastHeard: number;
  pongBy: number | undefined;
  rotateAt: number;
  advice: Advice | undefined;
}

interface Request {
  frame: Readonly<Record<string, unknown>>;
  by: number;
  socket: number | undefined;
}

type Frame = Record<string, unknown>;

const isObject = (value: unknown): value is Frame =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The `exp` of a JWT in epoch ms, or undefined when the token is not a JWT with a numeric `exp`. */
export function tokenExpiry(token: string): number | undefined {
  try {
    const payload: unknown = JSON.parse(
      atob((token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/')),
    );
    return isObject(payload) && typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The connection state machine. `step(now, event)` returns the commands the event calls for;
 * `deadline()` says when the machine next wants a `tick` (Infinity: not before another event).
 */
export class ConnectionMachine {
  /** The state last reported. */
  state: ClientState = 'connecting';
  private now = 0;
  private out: Command[] = [];
  private stopped = false;
  private ids = 0;
  private active: Socket | undefined;
  private next: Socket | undefined;
  /** When to open the next socket (a reconnect, or the make-before-break replacement). */
  private wantAt: number | undefined;
  private token: string | undefined;
  private tokenExp: number | undefined;
  private tokenPending = false;
  /** The token came from token() and has not been used yet: use it even if it expires soon. */
  private tokenFresh = false;
  private everReady = false;
  private refreshAt: number | undefined;
  private refreshing = false;
  private authFailures = 0;
  private attempt = 0;
  /** When the current run of reconnect attempts began (the first backoff since the doubling reset). */
  private failingSince = 0;
  /** The position last handed to the app; no epoch: none yet. */
  private epoch: string | undefined;
  private seq = 0;
  /** Live notifications after a gap, waiting for the missing ones. */
  private held = new Map<number, Notification>();
  private gapAt: number | undefined;
  private requests = new Map<string, Request>();

  constructor(
    private readonly settings: MachineSettings,
    token?: string,
  ) {
    if (token !== undefined) this.setToken(token);
    if (settings.position) {
      this.epoch = settings.position.epoch;
      this.seq = settings.position.seq;
    }
  }

  /** The position last handed to the app (what the next resume asks from); undefined before the first resume reply. */
  position(): Position | undefined {
    return this.epoch === undefined ? undefined : { epoch: this.epoch, seq: this.seq };
  }

  /** Handles one event that happened at `now` (epoch ms) and returns what to do. */
  step(now: number, event: MachineEvent): Command[] {
    this.now = now;
    this.out = [];
    if (!this.stopped) {
      this.handle(event);
      this.tick();
    }
    return this.out;
  }

  /** When the machine next needs a `tick`, in epoch ms. */
  deadline(): number {
    let at = Infinity;
    const consider = (t: number | undefined) => {
      if (t !== undefined && t < at) at = t;
    };
    if (this.stopped) return at;
    for (const request of this.requests.values()) consider(request.by);
    const { active, next } = this;
    if (active) {
      consider(active.by);
      consider(active.pongBy);
      consider(this.gapAt);
      if (active.authorized && active.pongBy === undefined) consider(this.keepAliveAt(active));
      if (!this.refreshing && !this.tokenPending) consider(this.refreshAt);
    }
    if (next) consider(next.by);
    else if (!this.tokenPending) consider(this.wantAt);
    return at;
  }

  private handle(event: MachineEvent): void {
    const socket = 'socket' in event ? this.find(event.socket) : undefined;
    switch (event.type) {
      case 'start':
        this.wantAt = this.now;
        this.emit({ type: 'state', state: 'connecting' });
        break;
      case 'tick':
        break;
      case 'opened':
        if (socket) this.opened(socket);
        break;
      case 'message':
        if (socket) this.message(socket, event.data);
        break;
      case 'closed':
        if (socket) this.gone(socket, event.refused === true);
        break;
      case 'token':
        this.tokenPending = false;
        this.tokenFresh = true;
        this.setToken(event.token);
        if (this.refreshing) {
          this.refreshing = false;
          if (this.active?.authorized) this.authorize(this.active);
        }
        break;
      case 'tokenFailed':
        this.tokenPending = false;
        if (this.authFailed('TOKEN_FAILED')) return;
        if (this.refreshing) {
          this.refreshing = false;
          this.refreshAt = this.now + this.backoff();
        } else if (!this.next) this.wantAt = this.now + this.backoff();
        break;
      case 'request':
        this.requests.set(event.id, {
          frame: event.frame,
          by: this.now + event.timeoutMs,
          socket: undefined,
        });
        this.flush();
        break;
      case 'online':
        if (!this.next && this.wantAt !== undefined && !this.active) this.wantAt = this.now;
        this.check();
        break;
      case 'wake':
        this.check();
        break;
      case 'close':
        this.stop('CLOSED', 'the client was closed', false);
        break;
    }
  }

  /** Runs every deadline that has passed, then opens a socket if one is wanted. */
  private tick(): void {
    const { now } = this;
    if (this.stopped) return;
    for (const [id, request] of this.requests)
      if (request.by <= now) this.settle(id, { code: 'TIMEOUT', message: 'no reply in time' });
    for (const socket of [this.next, this.active])
      if (socket && ((socket.by ?? Infinity) <= now || (socket.pongBy ?? Infinity) <= now)) this.gone(socket);
    const { active } = this;
    if (active) {
      if ((this.gapAt ?? Infinity) <= now) this.resume(active);
      if (active.authorized && active.pongBy === undefined && now >= this.keepAliveAt(active))
        this.ping(active);
      if (
        this.settings.renewableToken &&
        !this.refreshing &&
        !this.tokenPending &&
        (this.refreshAt ?? Infinity) <= now
      ) {
        this.refreshAt = undefined;
        this.refreshing = true;
        this.fetchToken();
      }
    }
    if (!this.next && (this.wantAt ?? Infinity) <= now) {
      const { token } = this;
      const stale =
        token === undefined ||
        (this.settings.renewableToken &&
          !this.tokenFresh &&
          (this.tokenExp ?? Infinity) - now < this.settings.connectTimeoutMs);
      if (stale) {
        if (!this.tokenPending) this.fetchToken();
      } else this.open(token);
    }
  }

  private find(id: number): Socket | undefined {
    return this.active?.id === id ? this.active : this.next?.id === id ? this.next : undefined;
  }

  private emit(command: Command): void {
    this.out.push(command);
  }

  private setState(state: ClientState): void {
    if (this.state !== state) {
      this.state = state;
      this.emit({ type: 'state', state });
    }
  }

  private setToken(token: string): void {
    const { now, settings } = this;
    this.token = token;
    this.tokenExp = tokenExpiry(token);
    const at = (this.tokenExp ?? Infinity) - settings.tokenRefreshMs;
    // A token that is already within its refresh margin is not refreshed again in a loop.
    this.refreshAt = settings.renewableToken && at > now && at < Infinity ? at : undefined;
  }

  private fetchToken(): void {
    this.tokenPending = true;
    this.emit({ type: 'fetchToken' });
  }

  /**
   * Full jitter: uniform in [0, min(cap, first window · 2^attempt)). With `shrink` (a handshake
   * failed again early in a run of attempts: the server is turning connections away, as API
   * Gateway's 500-a-second quota does in a storm), the window narrows from the third attempt on,
   * by 0.7 each time down to the first window, so the clients that have waited longest come back
   * first instead of drawing from ever wider windows (bench/RESULTS.md, "Reconnect storm").
   */
  private backoff(shrink = false): number {
    const { settings } = this;
    const first = settings.reconnectDelayMs;
    const n = this.attempt++;
    const doubled = Math.min(settings.maxReconnectDelayMs, first * 2 ** n);
    const ceiling =
      shrink && n > 1 ? Math.min(doubled, Math.max(first, 2 * first * 0.7 ** (n - 1))) : doubled;
    return settings.random() * ceiling;
  }

  private open(token: string): void {
    const { now, settings } = this;
    const id = ++this.ids;
    this.next = {
      id,
      opened: false,
      authorized: false,
      by: now + settings.connectTimeoutMs,
      resuming: undefined,
      authId: undefined,
      buffer: [],
      readyAt: undefined,
      lastSent: now,
      lastHeard: now,
      pongBy: undefined,
      rotateAt:
        now + settings.maxConnectionMs - settings.rotateLeadMs - settings.random() * settings.rotateWindowMs,
      advice: undefined,
    };
    this.wantAt = undefined;
    this.tokenFresh = false;
    const { url } = settings;
    this.emit({
      type: 'open',
      socket: id,
      url:
        settings.authorizeAt === 'connect'
          ? `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`
          : url,
    });
  }

  private send(socket: Socket, frame: Frame): void {
    socket.lastSent = this.now;
    this.emit({ type: 'send', socket: socket.id, data: JSON.stringify(frame) });
  }

  private opened(socket: Socket): void {
    socket.opened = true;
    socket.lastHeard = socket.lastSent = this.now;
    if (!this.active) this.setState('open');
    if (this.settings.authorizeAt === 'connect') this.authorized(socket);
    else this.authorize(socket);
  }

  private authorize(socket: Socket): void {
    socket.authId = `a${++this.ids}`;
    this.send(socket, { action: 'authorize', token: this.token, requestId: socket.authId });
  }

  private authorized(socket: Socket): void {
    socket.authorized = true;
    this.authFailures = 0;
    // With a position, the socket delivers at once (the resume fills in behind live frames).
    // Without one, it waits for the resume reply, the baseline: what the app sends once `ready`
    // resolves then lies after it, instead of inside a baseline that counts it as seen.
    if (!this.active && this.epoch !== undefined) this.promote(socket);
    this.resume(socket);
  }

  /** Makes `socket` the one that delivers; closes the one it replaces (make-before-break). */
  private promote(socket: Socket): void {
    const old = this.active;
    this.active = socket;
    this.next = undefined;
    socket.readyAt = this.now;
    this.everReady = true;
    this.wantAt = socket.rotateAt;
    this.held.clear();
    this.gapAt = undefined;
    if (old) this.drop(old);
    this.setState('ready');
    this.flush();
  }

  /** Sends the app's requests that wait for an authorized socket (not during a replacement). */
  private flush(): void {
    const { active } = this;
    if (!active?.authorized || this.next) return;
    for (const [requestId, request] of this.requests)
      if (request.socket === undefined) {
        request.socket = active.id;
        this.send(active, { ...request.frame, requestId });
      }
  }

  private settle(id: string, reply: { frame?: ServerFrame; code?: string; message?: string }): void {
    this.requests.delete(id);
    this.emit({ type: 'reply', id, ...reply });
  }

  private resume(socket: Socket): void {
    const requestId = `r${++this.ids}`;
    socket.resuming = requestId;
    socket.by = this.now + this.settings.connectTimeoutMs;
    if (socket === this.active) {
      socket.buffer.push(...this.held.values());
      this.held.clear();
      this.gapAt = undefined;
    }
    this.send(
      socket,
      this.epoch === undefined
        ? { action: 'resume', requestId }
        : { action: 'resume', epoch: this.epoch, seq: this.seq, requestId },
    );
  }

  /**
   * A ping when nothing was sent for keepAliveMs (API Gateway's idle close counts what the client
   * sends), or nothing heard: frames sent into a half-open socket prove nothing.
   */
  private keepAliveAt(socket: Socket): number {
    return Math.min(socket.lastSent, socket.lastHeard) + this.settings.keepAliveMs;
  }

  private ping(socket: Socket): void {
    this.send(socket, { action: 'ping', requestId: `k${++this.ids}` });
    socket.pongBy ??= this.now + this.settings.pongTimeoutMs;
  }

  /** After a throttled timer, a visibility change or a network change: is the socket still there? */
  private check(): void {
    const { active } = this;
    if (active?.authorized && this.now - active.lastHeard > this.settings.pongTimeoutMs) this.ping(active);
  }

  /** Forgets a socket and closes it; the app's requests in flight on it fail. */
  private drop(socket: Socket): void {
    if (socket === this.active) this.active = undefined;
    if (socket === this.next) this.next = undefined;
    this.emit({ type: 'close', socket: socket.id });
    for (const [id, request] of this.requests)
      if (request.socket === socket.id)
        this.settle(id, { code: 'DISCONNECTED', message: 'the socket closed before the reply' });
  }

  /** A socket is lost (closed, refused, timed out): plan the next one. */
  private gone(socket: Socket, refused = false): void {
    const { settings, now } = this;
    this.drop(socket);
    if (!this.active) {
      this.held.clear();
      this.gapAt = undefined;
      this.setState(this.everReady ? 'reconnecting' : 'connecting');
    }
    // A replacement already on its way takes over.
    if (this.next) return;
    if (refused) {
      if (this.authFailed('UNAUTHORIZED')) return;
    } else if (!socket.opened && settings.authorizeAt === 'connect' && settings.renewableToken) {
      // A browser cannot tell a refused handshake (401) from a network failure: ask for a fresh
      // token before the next attempt, so that a refused token never loops.
      this.token = undefined;
    }
    const { advice } = socket;
    if (socket.readyAt !== undefined && now - socket.readyAt >= settings.maxReconnectDelayMs)
      this.attempt = 0;
    if (this.attempt === 0) this.failingSince = now;
    this.wantAt =
      now +
      (advice?.reconnect === 'now'
        ? settings.random() * advice.afterMs
        : advice?.reconnect === 'later'
          ? advice.afterMs + this.backoff()
          : // Only for the first maxReconnectDelayMs of a run: a server that is down stays down
            // longer than a storm lasts, and then the doubling up to the cap spares it.
            this.backoff(!socket.opened && now - this.failingSince < settings.maxReconnectDelayMs));
  }

  /** Counts a refused or unobtainable token; stops the client (and says so) when it keeps failing. */
  private authFailed(code: string): boolean {
    this.token = undefined;
    this.tokenExp = undefined;
    if (!this.settings.renewableToken || ++this.authFailures >= this.settings.maxAuthFailures) {
      this.stop(
        code,
        code === 'TOKEN_FAILED' ? 'token() kept failing' : 'the server refused the token',
        true,
      );
      return true;
    }
    return false;
  }

  private stop(code: string, message: string, report: boolean): void {
    for (const id of [...this.requests.keys()]) this.settle(id, { code, message });
    for (const socket of [this.next, this.active]) if (socket) this.drop(socket);
    this.stopped = true;
    if (report) this.emit({ type: 'error', code, message });
    this.setState('closed');
  }

  private message(socket: Socket, data: string): void {
    socket.lastHeard = this.now;
    socket.pongBy = undefined;
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (!isObject(frame) || typeof frame.type !== 'string') return;
    const serverFrame = frame as ServerFrame;
    const requestId = typeof frame.requestId === 'string' ? frame.requestId : undefined;
    if (requestId !== undefined && this.requests.has(requestId)) {
      this.settle(requestId, { frame: serverFrame });
      return;
    }
    switch (frame.type) {
      case 'notification':
        this.notification(socket, frame);
        break;
      case 'resumed':
        if (socket.resuming !== undefined && (requestId ?? socket.resuming) === socket.resuming)
          this.resumed(socket, frame);
        break;
      case 'authorized':
        if (!socket.authorized && socket.authId !== undefined) this.authorized(socket);
        else this.authFailures = 0;
        break;
      case 'closing':
        this.closing(socket, frame);
        break;
      case 'error':
        this.error(socket, serverFrame, requestId);
        break;
    }
  }

  private error(socket: Socket, frame: ServerFrame, requestId: string | undefined): void {
    if (requestId !== undefined && requestId === socket.resuming) {
      this.gone(socket);
    } else if (
      socket.authId !== undefined &&
      (requestId === socket.authId || (requestId === undefined && frame.code === 'UNAUTHORIZED'))
    ) {
      if (!socket.authorized) {
        this.gone(socket, true);
        return;
      }
      // A refused refresh: the socket stays as it was until its token expires; the server then
      // announces the close with `closing`, and a new socket gets a new token.
      this.emit({ type: 'error', code: String(frame.code), message: String(frame.message), frame });
    } else if (!requestId?.startsWith('k'))
      this.emit({ type: 'error', code: String(frame.code), message: String(frame.message), frame });
  }

  private closing(socket: Socket, frame: Frame): void {
    const { reconnect } = frame;
    socket.advice = { reconnect, afterMs: typeof frame.afterMs === 'number' ? frame.afterMs : 0 };
    if (reconnect === 'new-token') {
      if (!this.settings.renewableToken) {
        this.stop('TOKEN_EXPIRED', 'the server wants a new token and the token is a fixed string', true);
        return;
      }
      this.token = undefined;
    }
    // Make-before-break on the server's word: open the replacement while this one still works.
    if (socket === this.active && reconnect !== 'later' && !this.next)
      this.wantAt = this.now + (reconnect === 'now' ? this.settings.random() * socket.advice.afterMs : 0);
  }

  private notification(socket: Socket, frame: Frame): void {
    const notification: Notification = { id: String(frame.id), data: frame.data };
    if (typeof frame.seq === 'number') notification.seq = frame.seq;
    if (typeof frame.epoch === 'string') notification.epoch = frame.epoch;
    if (notification.seq === undefined) this.emit({ type: 'notification', notification });
    else this.accept(socket, notification);
  }

  private accept(socket: Socket, notification: Notification): void {
    if (socket.resuming !== undefined || socket !== this.active) socket.buffer.push(notification);
    else this.live(socket, notification);
  }

  /** A live notification on the active socket with no resume in flight. */
  private live(socket: Socket, notification: Notification): void {
    const seq = notification.seq ?? 0;
    if ((notification.epoch ?? this.epoch) !== this.epoch) {
      this.resume(socket);
      socket.buffer.push(notification);
    } else if (seq === this.seq + 1) {
      this.deliver(notification);
      this.drainHeld();
    } else if (seq > this.seq) {
      this.held.set(seq, notification);
      this.gapAt ??= this.now + this.settings.gapWaitMs;
    }
  }

  private deliver(notification: Notification): void {
    this.seq = notification.seq ?? this.seq;
    this.emit({ type: 'notification', notification });
  }

  private drainHeld(): void {
    const { held } = this;
    for (let next = held.get(this.seq + 1); next; next = held.get(this.seq + 1)) {
      held.delete(this.seq + 1);
      this.deliver(next);
    }
    for (const seq of held.keys()) if (seq <= this.seq) held.delete(seq);
    if (held.size === 0) this.gapAt = undefined;
  }

  private resumed(socket: Socket, frame: Frame): void {
    socket.resuming = undefined;
    socket.by = undefined;
    const epoch = String(frame.epoch);
    const top = typeof frame.seq === 'number' ? frame.seq : 0;
    // The reply speaks for the stream as it is now: a buffered notification of another epoch is
    // from a stream that is gone (resuming for it again would loop).
    const buffered = socket.buffer.filter((notification) => (notification.epoch ?? epoch) === epoch);
    socket.buffer = [];
    const later: Notification[] = [];
    if (frame.recovered === false) {
      this.epoch = epoch;
      this.seq = top;
      this.held.clear();
      this.gapAt = undefined;
      this.emit({ type: 'reset', reset: { reason: String(frame.reason), epoch, seq: top } });
      later.push(...buffered);
    } else {
      const replayed: Notification[] = [];
      if (Array.isArray(frame.notifications))
        for (const item of frame.notifications as unknown[])
          if (isObject(item) && typeof item.seq === 'number')
            replayed.push({ id: String(item.id), seq: item.seq, epoch, data: item.data, recovered: true });
      // A seq both live and in the reply is handed over as the live copy (the sort is stable), so
      // `recovered` marks only what the socket did not bring.
      const all = [...buffered, ...replayed].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
      if (this.epoch !== epoch) {
        // No position yet (or the server changed the stream without saying so): the reply is the
        // baseline. Live notifications that beat the reply belong to the app too: resume again
        // from the first of them, so that the reply fills any hole among them.
        this.epoch = epoch;
        let first = Infinity;
        for (const notification of buffered)
          if ((notification.epoch ?? epoch) === epoch) first = Math.min(first, notification.seq ?? Infinity);
        if (replayed.length === 0 && first <= top) {
          this.seq = first - 1;
          socket.buffer = buffered;
          if (socket !== this.active) this.promote(socket);
          this.resume(socket);
          return;
        }
        this.seq = replayed.length > 0 ? (replayed[0]?.seq ?? 1) - 1 : top;
      }
      for (const notification of all) {
        const seq = notification.seq ?? 0;
        if (seq > top) later.push(notification);
        else if (seq > this.seq) this.deliver(notification);
      }
      if (top > this.seq) this.seq = top;
    }
    if (socket !== this.active) this.promote(socket);
    else this.drainHeld();
    for (const notification of later) this.accept(socket, notification);
  }
}
