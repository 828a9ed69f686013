import type { Logger } from '@aws-lambda-powertools/logger';
import { rawDataText, type WsSession, type WsSessionRegistry } from '@pushline/adapters/ws';
import {
  type Authorization,
  type ClosingReason,
  type Clock,
  closingFrame,
  type Connect,
  type ConnectionId,
  type Disconnect,
  type EnforceAuthorizeDeadline,
  type EnforceTokenExpiry,
  errorFrame,
  type PreparedFrame,
  replyOutcomeOf,
  type Route,
  type RouteOutcome,
  serializeFrame,
  TokenBucket,
  type UserId,
} from '@pushline/core';
import type { RawData, WebSocket } from 'ws';
import { describeError } from './describe-error.js';
import type { ServerMetrics } from './metrics.js';

/** Close code for a socket that keeps sending past its rate limit (1008: policy violation). */
export const RATE_LIMIT_CLOSE_CODE = 1008;

const RATE_LIMITED_FRAME = serializeFrame(
  errorFrame('RATE_LIMITED', 'too many frames: this frame was not handled; slow down and send it again'),
);

const BINARY_FRAME = serializeFrame(
  errorFrame('MALFORMED_FRAME', 'binary frames are not supported; send JSON text'),
);

/** The longest a Node.js timer waits; a longer delay would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What every session of one server shares: one object, so a session holds a single reference. */
export interface SessionServices {
  readonly logger: Logger;
  /** Whether DEBUG lines are written (read once: Powertools reads the environment per call). */
  readonly debugEnabled: boolean;
  readonly clock: Clock;
  readonly metrics: ServerMetrics;
  readonly sessions: WsSessionRegistry<Session>;
  /** {@link socketListeners} of `sessions`. */
  readonly listeners: SocketListeners;
  readonly connect: Connect;
  readonly disconnect: Disconnect;
  readonly route: Route;
  readonly enforceDeadline: EnforceAuthorizeDeadline;
  readonly enforceExpiry: EnforceTokenExpiry;
  /** Frames a second on average per socket; `0` turns the limit off. */
  readonly rateLimit: number;
  readonly rateBurst: number;
}

/**
 * One socket of the standalone server, and all of its in-process state: its user, rate limit,
 * heartbeat, timers and the chain of its work. Frames come in through {@link receive}; replies
 * and `closing` frames go out through {@link send}. Frames are handled one after another,
 * behind the connect, so replies keep their order and an early `authorize` never races the
 * registry write.
 */
export class Session implements WsSession {
  lastActiveAt: number;
  readonly connectedAt: number;
  /** `null` when the rate limit is off. */
  private readonly bucket: TokenBucket | null;
  /** Frames refused in a row for the rate limit. */
  private refused = 0;
  private userId: UserId | null = null;
  /** Whether the socket answered the last heartbeat ping. */
  private alive = true;
  /** The socket's work (connect, frames, close), one item after another. */
  private chain: Promise<void> = Promise.resolve();
  /** Items on `chain` not finished yet; a frame may skip the chain only when there are none. */
  private queued = 0;
  private deadline: ReturnType<typeof setTimeout> | null = null;
  /** Fires at the token's expiry, while the socket is a user's. */
  private expiry: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly services: SessionServices,
    readonly connectionId: ConnectionId,
    readonly socket: WebSocket,
    readonly sourceIp: string | null,
  ) {
    const now = services.clock.now();
    this.connectedAt = now;
    this.lastActiveAt = now;
    this.bucket =
      services.rateLimit > 0 ? new TokenBucket(services.rateLimit, services.rateBurst, now) : null;
  }

  /**
   * Registers the session, listens to its socket and runs the connect; everything the socket
   * sends waits behind it.
   */
  open(user: Authorization | null, path: string): void {
    const { services, connectionId, socket } = this;
    this.userId = user?.userId ?? null;
    services.sessions.add(this);
    this.enqueue(async () => {
      try {
        const outcome = await services.connect.execute(
          user === null ? { connectionId } : { connectionId, ...user },
        );
        if (!outcome.ok) {
          socket.close(1011, 'connect failed');
          return;
        }
        services.logger.info('connect', { connectionId, anonymous: user === null, path });
        const { authorizeBy, authExpiresAt } = outcome.value;
        if (authorizeBy !== null) {
          this.deadline = setTimeout(
            () => void this.onDeadline(),
            Math.max(0, authorizeBy - services.clock.now()),
          );
        }
        this.armExpiry(authExpiresAt);
      } catch (error) {
        services.logger.error('connect', { connectionId, code: 'INTERNAL', error: describeError(error) });
        socket.close(1011, 'connect failed');
      }
    });
    const { listeners } = services;
    socket.on('pong', listeners.pong);
    socket.on('message', listeners.message);
    socket.on('close', listeners.close);
    socket.on('error', listeners.error);
  }

  /** One frame from the client: parsed once, then answered at once or behind the queued work. */
  receive(data: RawData, isBinary: boolean): void {
    const { services } = this;
    this.lastActiveAt = services.clock.now();
    if (this.bucket !== null && !this.bucket.tryTake(this.lastActiveAt)) {
      this.onRateLimited();
      return;
    }
    this.refused = 0;
    if (isBinary) {
      this.enqueue(() => {
        this.send(BINARY_FRAME);
        services.logger.info('frame', {
          connectionId: this.connectionId,
          code: 'MALFORMED_FRAME',
          binary: true,
        });
      });
      return;
    }
    // The frame's arrival is its start: its log line's duration needs no clock read of its own.
    const started = this.lastActiveAt;
    const prepared = services.route.prepare(rawDataText(data));
    // Nothing pending, and a frame that needs no I/O (ping, a malformed one): answered now,
    // without a promise; the order of replies is kept, as nothing is queued before it.
    if (this.queued === 0) {
      const outcome = services.route.executeNow(this.routeInput(prepared));
      if (outcome !== null) {
        this.reply(outcome, started);
        return;
      }
    }
    this.enqueue(async () => {
      // The user is read when the frame's turn comes: an `authorize` queued before it counts.
      const outcome = await services.route.execute(this.routeInput(prepared));
      this.reply(outcome, started);
    });
  }

  /** A heartbeat tick: a socket that missed the last ping's pong is dead (half-open TCP). */
  heartbeat(): void {
    if (!this.alive) {
      this.socket.terminate();
      return;
    }
    this.alive = false;
    this.socket.ping();
  }

  /** Sends a frame's text if the socket is still open. */
  send(payload: string): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(payload);
  }

  /** Tells the client why the server is about to close its socket (docs/protocol.md, `closing`). */
  sendClosing(reason: ClosingReason, afterMs?: number): void {
    this.send(serializeFrame(closingFrame(reason, afterMs)));
  }

  /** Sends `closing` `SHUTDOWN` and closes with 1001; resolves when the work queued so far is done. */
  shutdown(): Promise<void> {
    this.sendClosing('SHUTDOWN');
    this.socket.close(1001, 'server shutting down');
    return this.chain;
  }

  /** The socket closed: forget it, stop its timers and remove its registry record. */
  closed(): void {
    const { services, connectionId } = this;
    if (!services.sessions.remove(this)) return;
    if (this.deadline !== null) clearTimeout(this.deadline);
    if (this.expiry !== null) clearTimeout(this.expiry);
    this.chain = this.chain
      .then(() => services.disconnect.execute({ connectionId }))
      .then(() => {
        services.logger.info('disconnect', { connectionId });
      })
      .catch((error: unknown) => {
        services.logger.error('disconnect', { connectionId, error: describeError(error) });
      });
  }

  private routeInput(body: PreparedFrame) {
    const { connectionId, userId } = this;
    return userId === null ? { connectionId, body } : { connectionId, body, userId };
  }

  /** Adds work behind everything the socket has queued. */
  private enqueue(work: () => Promise<void> | void): void {
    this.queued += 1;
    this.chain = this.chain.then(async () => {
      try {
        await work();
      } finally {
        this.queued -= 1;
      }
    });
  }

  /**
   * A frame over the socket's rate: answered with RATE_LIMITED (in order, behind the frames
   * before it) and not handled. A socket that goes on for a whole burst is closed.
   */
  private onRateLimited(): void {
    const { services, connectionId } = this;
    this.refused += 1;
    if (this.refused > services.rateBurst) {
      services.logger.warn('rate-limit', { connectionId, code: 'RATE_LIMITED', closed: true });
      // Long enough for a full burst to refill: a client that waits it out starts afresh.
      this.sendClosing('RATE_LIMITED', (1000 * services.rateBurst) / Math.max(1, services.rateLimit));
      this.socket.close(RATE_LIMIT_CLOSE_CODE, 'rate limit exceeded');
      return;
    }
    if (this.refused === 1) services.logger.info('rate-limit', { connectionId, code: 'RATE_LIMITED' });
    this.enqueue(() => {
      this.send(RATE_LIMITED_FRAME);
    });
  }

  /** Sends a frame's reply, takes note of an authorization, and logs what needs logging. */
  private reply(outcome: RouteOutcome, started: number): void {
    const { services } = this;
    if (outcome.authorized !== null) {
      this.userId = outcome.authorized.userId;
      if (this.deadline !== null) clearTimeout(this.deadline);
      this.deadline = null;
      // A fresh token of the same user moves the expiry: re-arm on it.
      if (services.sessions.get(this.connectionId) === this) this.armExpiry(outcome.authorized.expiresAt);
    }
    this.send(outcome.payload);
    const counted = replyOutcomeOf(outcome.reply);
    if (counted !== null) services.metrics.count(counted);
    // Answered frames are DEBUG: at INFO, writing the line cost more CPU than handling the
    // frame (bench/RESULTS.md); error replies stay INFO and faults ERROR.
    if (outcome.code === null && outcome.fault === null && !services.debugEnabled) return;
    const fields = {
      connectionId: this.connectionId,
      action: outcome.action,
      code: outcome.code,
      durationMs: services.clock.now() - started,
    };
    if (outcome.fault !== null)
      services.logger.error('frame', { ...fields, error: describeError(outcome.fault) });
    else if (outcome.code === null) services.logger.debug('frame', fields);
    else services.logger.info('frame', fields);
  }

  /** Arms (or re-arms) the socket's token expiry timer; `null` disarms it. */
  private armExpiry(expiresAt: number | null): void {
    if (this.expiry !== null) clearTimeout(this.expiry);
    this.expiry = null;
    if (expiresAt === null) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, expiresAt - this.services.clock.now()));
    this.expiry = setTimeout(() => void this.onExpiry(expiresAt), delay);
  }

  private async onExpiry(expiresAt: number): Promise<void> {
    const { services, connectionId } = this;
    this.expiry = null;
    try {
      const outcome = await services.enforceExpiry.execute({ connectionId, expiresAt });
      if (outcome.value.result === 'not-due') this.armExpiry(expiresAt);
      else services.logger.info('token-expiry', { connectionId, result: outcome.value.result });
    } catch (error) {
      services.logger.error('token-expiry', { connectionId, error: describeError(error) });
    }
  }

  private async onDeadline(): Promise<void> {
    const { services, connectionId } = this;
    this.deadline = null;
    try {
      const outcome = await services.enforceDeadline.execute({ connectionId });
      services.logger.info('authorize-deadline', { connectionId, result: outcome.value.result });
    } catch (error) {
      services.logger.error('authorize-deadline', { connectionId, error: describeError(error) });
    }
  }

  /** The session's socket ended with an error (a `close` follows). */
  socketError(error: Error): void {
    this.services.logger.warn('socket', { connectionId: this.connectionId, error: error.message });
  }

  /** The socket answered a heartbeat ping. */
  pong(): void {
    this.alive = true;
  }
}

/** The `ws` listeners every session of one server shares. */
export interface SocketListeners {
  readonly pong: (this: WebSocket) => void;
  readonly message: (this: WebSocket, data: RawData, isBinary: boolean) => void;
  readonly close: (this: WebSocket) => void;
  readonly error: (this: WebSocket, error: Error) => void;
}

/**
 * One set of listeners per server, shared by all its sockets (ws calls them with the socket as
 * `this`), so an idle socket holds no closures of its own (bench/RESULTS.md, capacity): each
 * finds its session in the server's one registry.
 */
export function socketListeners(sessions: WsSessionRegistry<Session>): SocketListeners {
  return {
    pong() {
      sessions.ofSocket(this)?.pong();
    },
    message(data, isBinary) {
      sessions.ofSocket(this)?.receive(data, isBinary);
    },
    close() {
      sessions.ofSocket(this)?.closed();
    },
    error(error) {
      sessions.ofSocket(this)?.socketError(error);
    },
  };
}
