// A discrete-event simulation around @pushline/client's pure state machine: a fake clock, a fake
// network (latency, reordering, loss, partitions, half-open sockets) and a fake Pushline server
// (a per-user stream with retention, resume, authorize, ping, the 10-minute idle close, the
// 2-hour cap, closing advice). The model-based tests and the reconnect-storm benchmark drive it.
import {
  type ClientState,
  type Command,
  ConnectionMachine,
  type MachineSettings,
  type Notification,
  type Reset,
} from '@pushline/client';
import { seededRandom } from './random.js';

interface Scheduled {
  at: number;
  order: number;
  run: () => void;
}

/** A binary min-heap of scheduled callbacks, by time then by insertion order. */
export class EventQueue {
  private heap: Scheduled[] = [];
  private order = 0;

  get size(): number {
    return this.heap.length;
  }

  peek(): number {
    return this.heap[0]?.at ?? Infinity;
  }

  push(at: number, run: () => void): void {
    const heap = this.heap;
    heap.push({ at, order: this.order++, run });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  pop(): Scheduled | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && this.less(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && this.less(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === i) break;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
    return top;
  }

  private less(a: Scheduled, b: Scheduled): boolean {
    return a.at < b.at || (a.at === b.at && a.order < b.order);
  }
}

/** The client's settings at their defaults, as PushlineClient fills them in. */
export const DEFAULT_SETTINGS: Omit<MachineSettings, 'url' | 'authorizeAt' | 'renewableToken' | 'random'> = {
  keepAliveMs: 480_000,
  pongTimeoutMs: 10_000,
  connectTimeoutMs: 10_000,
  reconnectDelayMs: 5_000,
  maxReconnectDelayMs: 30_000,
  maxConnectionMs: 7_200_000,
  rotateLeadMs: 300_000,
  rotateWindowMs: 600_000,
  gapWaitMs: 1_000,
  maxAuthFailures: 3,
  tokenRefreshMs: 60_000,
};

export interface SimulationOptions {
  seed: number;
  authorizeAt: 'connect' | 'in-band';
  /** A token function (fresh tokens on demand) rather than a fixed string. */
  renewableToken: boolean;
  /** Tokens that carry an `exp` this far ahead (a JWT-shaped string); none: tokens without exp. */
  tokenLifetimeMs?: number | undefined;
  /** Notifications the server keeps per user. */
  retention: number;
  /** Notifications one resume reply may hold. */
  maxReplay: number;
  settings?: Partial<MachineSettings>;
  /** API Gateway's limits. */
  idleMs?: number;
  capMs?: number;
}

interface SimSocket {
  id: number;
  open: boolean;
  closed: boolean;
  /** Half-open: frames are lost both ways and no close is ever seen. */
  dead: boolean;
  registered: boolean;
  connectedAt: number;
  lastInbound: number;
}

interface Stored {
  id: string;
  seq: number;
  data: unknown;
}

/** What the app saw. */
export type Seen = { kind: 'notification'; notification: Notification } | { kind: 'reset'; reset: Reset };

/** A violated property, with what the simulation knew when it happened. */
class SimulationFailure extends Error {}

/** One client against one fake server, on a fake clock. */
export class ClientSimulation {
  now = 0;
  readonly random: () => number;
  readonly machine: ConnectionMachine;
  readonly settings: MachineSettings;
  readonly seen: Seen[] = [];
  readonly states: ClientState[] = [];
  readonly errors: string[] = [];
  /** Sockets the client holds: opened and neither closed by it nor reported closed. */
  held = new Set<number>();
  /** Sockets the client opened, in all. */
  opens = 0;
  twoSince: number | undefined;
  maxOverlapMs = 0;
  idleClosesOfLiveSockets = 0;
  capClosesOfLiveSockets = 0;
  // Network and server faults.
  partitioned = false;
  refuseAuth = 0;
  failTokens = 0;
  latencyMs = 20;
  resumeLatencyMs = 20;
  // The server's stream for the client's user.
  epoch = 'e1';
  private epochs = 1;
  top = 0;
  stream: Stored[] = [];
  /** The position the client's first answered resume (without a position) set. */
  baseline: { epoch: string; seq: number } | undefined;
  /** The stream's top when the client first said `ready`: all after it is the app's to see. */
  private readyAt: { epoch: string; seq: number } | undefined;
  private readonly events = new EventQueue();
  private readonly sockets = new Map<number, SimSocket>();
  private readonly noPositionResumes = new Set<string>();
  /** Notifications delivered to each socket, in order. */
  private readonly receivedBy = new Map<number, { epoch: string; seq: number }[]>();
  private tokens = 0;
  private readonly idleMs: number;
  private readonly capMs: number;

  constructor(readonly options: SimulationOptions) {
    this.random = seededRandom(options.seed);
    this.idleMs = options.idleMs ?? 600_000;
    this.capMs = options.capMs ?? 7_200_000;
    this.settings = {
      ...DEFAULT_SETTINGS,
      url: 'wss://sim.example/production',
      authorizeAt: options.authorizeAt,
      renewableToken: options.renewableToken,
      random: this.random,
      ...options.settings,
    };
    this.machine = new ConnectionMachine(
      this.settings,
      options.renewableToken ? undefined : this.makeToken(),
    );
    this.step({ type: 'start' });
  }

  // ---- the client side ----------------------------------------------------------------------

  private makeToken(): string {
    this.tokens++;
    const lifetime = this.options.tokenLifetimeMs;
    if (lifetime === undefined) return `token-${this.tokens}`;
    const payload = Buffer.from(JSON.stringify({ sub: 'u1', exp: (this.now + lifetime) / 1000 })).toString(
      'base64url',
    );
    return `eyJhbGciOiJIUzI1NiJ9.${payload}.sig${this.tokens}`;
  }

  step(event: Parameters<ConnectionMachine['step']>[1]): void {
    for (const command of this.machine.step(this.now, event)) this.run(command);
    this.checkOverlap();
  }

  private run(command: Command): void {
    switch (command.type) {
      case 'open':
        this.held.add(command.socket);
        this.opens++;
        this.connect(command.socket, command.url);
        break;
      case 'send':
        this.toServer(command.socket, command.data);
        break;
      case 'close':
        this.held.delete(command.socket);
        this.serverSideGone(command.socket);
        break;
      case 'fetchToken':
        this.later(this.latencyMs, () => {
          if (this.failTokens > 0) {
            this.failTokens--;
            this.step({ type: 'tokenFailed' });
          } else this.step({ type: 'token', token: this.makeToken() });
        });
        break;
      case 'state':
        this.states.push(command.state);
        if (command.state === 'ready') this.readyAt ??= { epoch: this.epoch, seq: this.top };
        break;
      case 'notification':
        this.seen.push({ kind: 'notification', notification: command.notification });
        this.checkSeen();
        break;
      case 'reset':
        this.seen.push({ kind: 'reset', reset: command.reset });
        this.checkSeen();
        break;
      case 'reply':
        break;
      case 'error':
        this.errors.push(command.code);
        break;
    }
  }

  private checkOverlap(): void {
    if (this.held.size > 2) throw new SimulationFailure(`the client holds ${this.held.size} sockets`);
    if (this.held.size === 2) {
      this.twoSince ??= this.now;
      const overlap = this.now - this.twoSince;
      this.maxOverlapMs = Math.max(this.maxOverlapMs, overlap);
      if (overlap > this.settings.connectTimeoutMs)
        throw new SimulationFailure(
          `two sockets for ${overlap} ms (bound ${this.settings.connectTimeoutMs})`,
        );
    } else this.twoSince = undefined;
  }

  /** Every notification exactly once, in seq order, from the baseline or the last reset. */
  private checkSeen(): void {
    let position = this.baseline;
    const ids = new Set<string>();
    for (const entry of this.seen) {
      if (entry.kind === 'reset') {
        const { reset } = entry;
        if (position && reset.epoch === position.epoch && reset.seq < position.seq)
          throw new SimulationFailure(`a reset moved the position back from ${position.seq} to ${reset.seq}`);
        position = { epoch: reset.epoch, seq: reset.seq };
        continue;
      }
      const { notification } = entry;
      if (notification.seq === undefined) continue;
      if (!position) throw new SimulationFailure(`notification ${notification.seq} before any baseline`);
      if (notification.epoch !== position.epoch || notification.seq !== position.seq + 1)
        throw new SimulationFailure(
          `after ${position.epoch}/${position.seq} the app got ${notification.epoch}/${notification.seq}`,
        );
      if (ids.has(notification.id)) throw new SimulationFailure(`notification ${notification.id} twice`);
      ids.add(notification.id);
      position = { epoch: notification.epoch, seq: notification.seq };
    }
  }

  /** The position of the last thing the app saw (a notification or a reset). */
  appPosition(): { epoch: string; seq: number } | undefined {
    for (let i = this.seen.length - 1; i >= 0; i--) {
      const entry = this.seen[i]!;
      if (entry.kind === 'reset') return { epoch: entry.reset.epoch, seq: entry.reset.seq };
      const { notification } = entry;
      if (notification.seq !== undefined) return { epoch: notification.epoch ?? '', seq: notification.seq };
    }
    return this.baseline;
  }

  // ---- time ---------------------------------------------------------------------------------

  later(delayMs: number, run: () => void): void {
    this.events.push(this.now + delayMs, run);
  }

  /** Runs every event and machine deadline up to `now + ms`, in time order. */
  advance(ms: number): void {
    const until = this.now + ms;
    let guard = 0;
    for (;;) {
      const deadline = this.machine.deadline();
      const at = Math.min(deadline, this.events.peek());
      if (at > until) break;
      if (++guard > 200_000) throw new SimulationFailure('the simulation does not settle (a busy loop?)');
      this.now = Math.max(this.now, at);
      if (deadline <= this.events.peek()) this.step({ type: 'tick' });
      else this.events.pop()!.run();
    }
    this.now = until;
  }

  // ---- the network and the server -----------------------------------------------------------

  private connect(id: number, url: string): void {
    const partitioned = this.partitioned;
    this.later(this.latencyMs, () => {
      if (!this.held.has(id)) return;
      if (partitioned || this.partitioned) {
        this.clientSeesClose(id, false);
        return;
      }
      const connectMode = url.includes('token=');
      if (connectMode && this.refuseAuth > 0) {
        this.refuseAuth--;
        this.clientSeesClose(id, true);
        return;
      }
      const socket: SimSocket = {
        id,
        open: true,
        closed: false,
        dead: false,
        registered: connectMode,
        connectedAt: this.now,
        lastInbound: this.now,
      };
      this.sockets.set(id, socket);
      this.watchIdle(socket);
      this.later(this.capMs, () => {
        if (!socket.closed) {
          if (!socket.dead) this.capClosesOfLiveSockets++;
          this.serverClose(socket);
        }
      });
      this.step({ type: 'opened', socket: id });
    });
  }

  private watchIdle(socket: SimSocket): void {
    const since = socket.lastInbound;
    this.later(this.idleMs, () => {
      if (socket.closed || socket.lastInbound !== since) return;
      if (!socket.dead) this.idleClosesOfLiveSockets++;
      this.serverClose(socket);
    });
  }

  private clientSeesClose(id: number, refused: boolean): void {
    if (!this.held.has(id)) return;
    this.held.delete(id);
    this.step({ type: 'closed', socket: id, refused });
  }

  /** The server closes a socket (DELETE @connections, the cap, idle); the client hears it unless half-open. */
  serverClose(socket: SimSocket): void {
    if (socket.closed) return;
    socket.closed = true;
    socket.open = false;
    if (!socket.dead)
      this.later(this.latencyMs, () => {
        this.clientSeesClose(socket.id, false);
      });
  }

  private serverSideGone(id: number): void {
    const socket = this.sockets.get(id);
    if (socket) {
      socket.closed = true;
      socket.open = false;
    }
  }

  private toServer(id: number, data: string): void {
    const socket = this.sockets.get(id);
    if (!socket || socket.dead || this.partitioned) return;
    this.later(this.latencyMs, () => {
      if (socket.closed || socket.dead) return;
      socket.lastInbound = this.now;
      this.watchIdle(socket);
      this.serverHandles(socket, JSON.parse(data) as Record<string, unknown>);
    });
  }

  private toClient(socket: SimSocket, frame: unknown, latencyMs = this.latencyMs): void {
    if (socket.dead || socket.closed) return;
    const data = JSON.stringify(frame);
    this.later(latencyMs, () => {
      if (socket.dead || !this.held.has(socket.id)) return;
      if (typeof frame === 'object' && frame !== null && (frame as { type?: unknown }).type === 'resumed') {
        const answered = (frame as { requestId?: string }).requestId;
        if (
          answered !== undefined &&
          this.noPositionResumes.has(answered) &&
          this.appPosition() === undefined
        ) {
          // The baseline: the top the reply reports, or just before the first notification this
          // socket received ahead of the reply (those are the app's too).
          const { epoch, seq } = frame as { epoch: string; seq: number };
          const early = (this.receivedBy.get(socket.id) ?? []).filter(
            (n) => n.epoch === epoch && n.seq <= seq,
          );
          this.baseline = { epoch, seq: early.length > 0 ? Math.min(...early.map((n) => n.seq)) - 1 : seq };
          // An app that publishes once `ready()` resolves must get what it published.
          const { readyAt } = this;
          if (readyAt && readyAt.epoch === epoch && this.baseline.seq > readyAt.seq)
            throw new SimulationFailure(
              `ready at ${readyAt.epoch}/${readyAt.seq}, but the baseline counts up to ${this.baseline.seq} as seen`,
            );
        }
      }
      if (
        typeof frame === 'object' &&
        frame !== null &&
        (frame as { type?: unknown }).type === 'notification'
      ) {
        const { epoch, seq } = frame as { epoch: string; seq: number };
        const received = this.receivedBy.get(socket.id) ?? [];
        received.push({ epoch, seq });
        this.receivedBy.set(socket.id, received);
      }
      this.step({ type: 'message', socket: socket.id, data });
    });
  }

  private serverHandles(socket: SimSocket, frame: Record<string, unknown>): void {
    const requestId = frame.requestId;
    switch (frame.action) {
      case 'authorize':
        if (this.refuseAuth > 0) {
          this.refuseAuth--;
          this.toClient(socket, { type: 'error', code: 'UNAUTHORIZED', message: 'refused', requestId });
        } else {
          socket.registered = true;
          this.toClient(socket, { type: 'authorized', userId: 'u1', requestId });
        }
        break;
      case 'ping':
        this.toClient(socket, { type: 'pong', requestId });
        break;
      case 'resume':
        if (!socket.registered) {
          this.toClient(socket, { type: 'error', code: 'UNAUTHORIZED', message: 'anonymous', requestId });
          break;
        }
        if (typeof frame.epoch !== 'string' && typeof requestId === 'string')
          this.noPositionResumes.add(requestId);
        this.toClient(socket, { ...this.resumeReply(frame), requestId }, this.resumeLatencyMs);
        break;
      default:
        this.toClient(socket, {
          type: 'error',
          code: 'UNKNOWN_ACTION',
          message: 'no such action',
          requestId,
        });
    }
  }

  private resumeReply(frame: Record<string, unknown>): Record<string, unknown> {
    const { epoch, top } = this;
    const base = { type: 'resumed', epoch, seq: top };
    if (typeof frame.epoch !== 'string') return { ...base, recovered: true, notifications: [] };
    if (frame.epoch !== epoch)
      return { ...base, recovered: false, reason: 'STREAM_RESET', notifications: [] };
    const since = Number(frame.seq);
    const oldest = this.stream[0]?.seq ?? top + 1;
    if (since < oldest - 1) return { ...base, recovered: false, reason: 'TOO_OLD', notifications: [] };
    const missed = this.stream.filter((item) => item.seq > since);
    if (missed.length > this.options.maxReplay)
      return { ...base, recovered: false, reason: 'TOO_MANY', notifications: [] };
    return { ...base, recovered: true, notifications: missed };
  }

  // ---- faults and the stream (what the model-based commands do) ------------------------------

  /** Stores one notification and pushes it to every registered socket: some pushes lost, some doubled, latencies mixed (reordering). */
  publish(lossRate: number, duplicateRate: number): void {
    this.top++;
    const item: Stored = { id: `${this.epoch}-n${this.top}`, seq: this.top, data: { n: this.top } };
    this.stream.push(item);
    if (this.stream.length > this.options.retention) this.stream.shift();
    for (const socket of this.sockets.values()) {
      if (!socket.registered || socket.closed) continue;
      if (this.random() < lossRate) continue;
      const frame = { type: 'notification', id: item.id, seq: item.seq, epoch: this.epoch, data: item.data };
      const latency = [1, 20, 20, 400][Math.floor(this.random() * 4)]!;
      this.toClient(socket, frame, latency);
      if (this.random() < duplicateRate) this.toClient(socket, frame, latency + 30);
    }
  }

  /** The server lost the stream: a new epoch, counting from 0. */
  resetStream(): void {
    this.epoch = `e${++this.epochs}`;
    this.top = 0;
    this.stream = [];
  }

  /** The newest open socket, as the server sees it. */
  newestSocket(): SimSocket | undefined {
    let newest: SimSocket | undefined;
    for (const socket of this.sockets.values())
      if (!socket.closed && (!newest || socket.id > newest.id)) newest = socket;
    return newest;
  }

  /** DELETE @connections on the newest socket, after an optional `closing` advice frame. */
  dropFromServer(advice?: { reason: string; reconnect: string; afterMs?: number }): void {
    const socket = this.newestSocket();
    if (!socket) return;
    if (advice) {
      this.toClient(socket, { type: 'closing', ...advice });
      this.later(500, () => {
        this.serverClose(socket);
      });
    } else this.serverClose(socket);
  }

  /** The newest socket goes half-open: nothing more gets through, no close is seen. */
  halfOpen(): void {
    const socket = this.newestSocket();
    if (socket) socket.dead = true;
  }

  /** The network goes away for `ms`: open sockets go half-open, new ones fail, then `online`. */
  partition(ms: number): void {
    this.partitioned = true;
    for (const socket of this.sockets.values()) if (!socket.closed) socket.dead = true;
    this.step({ type: 'wake' });
    this.later(ms, () => {
      this.partitioned = false;
      this.step({ type: 'online' });
    });
  }

  /** Ends every fault, then lets the client settle: afterwards it must have caught up. */
  heal(): void {
    this.partitioned = false;
    this.refuseAuth = 0;
    this.failTokens = 0;
    this.latencyMs = 20;
    this.resumeLatencyMs = 20;
    this.step({ type: 'online' });
    // A half-open socket shows itself only to the keep-alive: up to keepAliveMs + pongTimeoutMs.
    const { keepAliveMs, pongTimeoutMs, maxReconnectDelayMs, connectTimeoutMs } = this.settings;
    this.advance(keepAliveMs + pongTimeoutMs + maxReconnectDelayMs + connectTimeoutMs + 60_000);
    this.publish(0, 0);
    this.advance(5_000);
  }
}
