import { Logger, LogLevelThreshold } from '@aws-lambda-powertools/logger';
import {
  InMemoryConnectionRepository,
  InMemoryMessageQueue,
  InMemoryNotificationStream,
  MAX_MEMORY_PAGE_SIZE,
} from '@pushline/adapters/memory';
import { JoseTokenIssuer, JoseTokenVerifier } from '@pushline/adapters/jose';
import { closeServer, listen, SystemClock, urlHost } from '@pushline/adapters/system';
import { rawDataText, WsConnectionPusher } from '@pushline/adapters/ws';
import {
  Authorize,
  replyOutcomeOf,
  closingFrame,
  type ClosingReason,
  type Clock,
  Connect,
  type ConnectionPusher,
  builtInActions,
  Disconnect,
  EnforceAuthorizeDeadline,
  EnforceTokenExpiry,
  errorFrame,
  isUserId,
  NotifyConnection,
  NotifyUser,
  parseNotifyUserMessage,
  Route,
  type RouteInput,
  type RouteOutcome,
  serializeFrame,
  type TokenVerifier,
  TokenBucket,
  type UserId,
} from '@pushline/core';
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import type { ServerConfig } from './config.js';
import { bearerToken, HttpError, readBody, sendError, sendJson } from './http.js';
import { PROMETHEUS_CONTENT_TYPE, ServerMetrics } from './metrics.js';

/**
 * Largest message `ws` accepts before closing with 1009. Frames up to this size but over
 * the protocol's 128 KiB get a `PAYLOAD_TOO_LARGE` error frame and the socket stays open;
 * the hard cap keeps one client from making the server buffer without bound.
 */
const MAX_INBOUND_MESSAGE_BYTES = 1024 * 1024;

const RATE_LIMITED_FRAME = serializeFrame(
  errorFrame('RATE_LIMITED', 'too many frames: this frame was not handled; slow down and send it again'),
);

/** Close code for a socket that keeps sending past its rate limit (1008: policy violation). */
export const RATE_LIMIT_CLOSE_CODE = 1008;

/** Close code for a socket that did not authorize in time (1008: policy violation). */
export const AUTHORIZE_DEADLINE_CLOSE_CODE = 1008;

/** Close code for a socket whose token expired without a fresh one (1008: policy violation). */
const TOKEN_EXPIRED_CLOSE_CODE = 1008;

/** The longest a Node.js timer waits; a longer delay would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface ServerOptions {
  /** Defaults to a Powertools Logger with service name `pushline-server`. */
  readonly logger?: Logger;
  /** Log level of the default logger (Powertools also reads `POWERTOOLS_LOG_LEVEL`). */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  /** Where "now" comes from (records, deadlines, the stream's retention); default the system clock. */
  readonly clock?: Clock;
}

/** A running standalone server. */
export interface PushlineServer {
  /** WebSocket URL, e.g. `ws://127.0.0.1:8080/`. */
  readonly url: string;
  /** HTTP base URL, e.g. `http://127.0.0.1:8080`. */
  readonly httpUrl: string;
  readonly port: number;
  /** The key `POST /notify` requires (generated in dev mode when not configured). */
  readonly apiKey: string;
  /** Enqueues a NotifyUser message from code in the same process. */
  notifyUser(userId: UserId, data: unknown, id?: string): Promise<void>;
  /** How many sockets are open. */
  connectionCount(): number;
  /** Closes every socket (1001) and stops the server. */
  close(): Promise<void>;
}

interface SocketState {
  readonly connectionId: string;
  /** `null` when the rate limit is off. */
  readonly bucket: TokenBucket | null;
  /** Frames refused in a row for the rate limit. */
  refused: number;
  userId: UserId | null;
  alive: boolean;
  /** The socket's work (connect, frames, close), one item after another. */
  chain: Promise<void>;
  /** Items on `chain` not finished yet; a frame may skip the chain only when there are none. */
  queued: number;
  deadline: ReturnType<typeof setTimeout> | null;
  /** Fires at the token's expiry, while the socket is a user's. */
  expiry: ReturnType<typeof setTimeout> | null;
}

/**
 * Starts the standalone transport: one `ws` server and one HTTP API on the same port,
 * calling the core directly with in-memory adapters.
 */
export async function startServer(
  config: ServerConfig,
  options: ServerOptions = {},
): Promise<PushlineServer> {
  const logger =
    options.logger ??
    new Logger({
      serviceName: 'pushline-server',
      ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
    });
  // Powertools reads the environment on every `debug` call, and on every read of `level`, even
  // when DEBUG is off; per frame that was 2–5% of the server's CPU. The level is read once here.
  const debugLevel = logger.level <= LogLevelThreshold.DEBUG;
  const debugEnabled = (): boolean => debugLevel;
  const clock = options.clock ?? new SystemClock();
  const repository = new InMemoryConnectionRepository();
  const metrics = new ServerMetrics();
  const queue = new InMemoryMessageQueue({
    maxReceiveCount: 5,
    // A server runs for weeks: it must not keep every message it ever delivered.
    keepAccepted: false,
    onDeadLetter: ({ messageId, error }) => {
      metrics.count('DEAD_LETTERED');
      logger.warn('dead-letter', { messageId, code: 'TRANSIENT_FAILURE', error: describeError(error) });
    },
  });
  const pusher = new WsConnectionPusher({ clock });
  const secret =
    config.tokenKeys.kind === 'secret' ? (config.tokenKeys.secret ?? randomBytes(32).toString('hex')) : null;
  const claims = {
    ...(config.tokenIssuer === null ? {} : { issuer: config.tokenIssuer }),
    ...(config.tokenAudience === null ? {} : { audience: config.tokenAudience }),
  };
  const verifier: TokenVerifier = new JoseTokenVerifier(
    config.tokenKeys.kind === 'jwks'
      ? { jwksUrl: config.tokenKeys.jwksUrl, ...claims, maxLifetimeSeconds: config.tokenMaxLifetimeSeconds }
      : { secret: secret ?? '', ...claims, maxLifetimeSeconds: config.tokenMaxLifetimeSeconds },
  );
  const issuer = config.mode === 'dev' && secret !== null ? new JoseTokenIssuer({ secret, ...claims }) : null;
  const apiKey = config.apiKey ?? randomBytes(24).toString('base64url');

  const connect = new Connect(repository, verifier, clock, {
    allowAnonymous: config.authMode === 'either',
    authorizeDeadlineMs: config.authorizeDeadlineMs,
    // The registry lives in this process with its sockets, and a socket's close always removes
    // its record (no $disconnect to lose, no 2-hour cap): a record lives as long as its socket.
    ttlMs: Number.POSITIVE_INFINITY,
  });
  const disconnect = new Disconnect(repository);
  const stream = new InMemoryNotificationStream({ clock, retentionMs: config.streamRetentionMs });
  const route = new Route(
    repository,
    builtInActions({ authorize: new Authorize(repository, verifier), stream }),
  );
  const notifyConnection = new NotifyConnection(pusher, repository, clock);
  // The registry is in this process's memory, so a page costs no I/O, while each page sorts
  // the user's ids: the largest page walks 10,000 sockets in 10 pages instead of 100.
  const notifyUser = new NotifyUser(repository, queue, clock, stream, { pageSize: MAX_MEMORY_PAGE_SIZE });
  // The deadline closes with 1008 and a reason, so a client can tell why it was dropped.
  const deadlinePusher: ConnectionPusher = {
    push: (id, payload) => pusher.push(id, payload),
    info: (id) => pusher.info(id),
    disconnect: (id) => pusher.close(id, AUTHORIZE_DEADLINE_CLOSE_CODE, 'authorize deadline passed'),
  };
  const enforceDeadline = new EnforceAuthorizeDeadline(repository, deadlinePusher);
  // A token's expiry: a timer per socket (no scheduler, so an early fire reports `not-due`).
  const expiryPusher: ConnectionPusher = {
    push: (id, payload) => pusher.push(id, payload),
    info: (id) => pusher.info(id),
    disconnect: (id) => pusher.close(id, TOKEN_EXPIRED_CLOSE_CODE, 'token expired'),
  };
  const enforceExpiry = new EnforceTokenExpiry(repository, expiryPusher, clock);

  const stopNotifyConnection = queue.notifyConnection.consume(
    async ({ messageId, body, receiveCount, sentAt }) => {
      const outcome = await metrics.countingFaults(notifyConnection.execute({ message: body, messageId }));
      metrics.settleNotifyConnection(outcome, sentAt);
      if (outcome.ok) {
        const fields = { connectionId: body.connectionId, result: outcome.value.result, receiveCount };
        // One line per delivered frame would cost more than the delivery (bench/RESULTS.md):
        // deliveries are DEBUG, a gone socket stays INFO, and NotifyUser logs each fan-out once.
        if (outcome.value.result !== 'delivered') logger.info('notify-connection', fields);
        else if (debugEnabled()) logger.debug('notify-connection', fields);
      } else {
        logger.warn('notify-connection', { connectionId: body.connectionId, code: outcome.error.code });
      }
    },
  );
  const stopNotifyUser = queue.notifyUser.consume(async ({ messageId, body }) => {
    await runNotifyUser(body.userId, body, messageId);
  });

  async function runNotifyUser(
    userId: UserId,
    message: Parameters<NotifyUser['execute']>[0]['message'],
    messageId: string,
  ) {
    const started = performance.now();
    const outcome = await notifyUser.execute({ message, messageId });
    metrics.settleNotifyUser(outcome);
    const durationMs = Math.round(performance.now() - started);
    if (outcome.ok) {
      const { notificationId, seq, duplicate, enqueued, malformed } = outcome.value;
      logger.info('notify-user', {
        userId,
        notificationId,
        seq,
        duplicate,
        enqueued,
        malformed: malformed.length,
        durationMs,
      });
    } else {
      logger.warn('notify-user', { userId, code: outcome.error.code, durationMs });
    }
    return outcome;
  }

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_INBOUND_MESSAGE_BYTES,
    clientTracking: true,
  });
  const states = new Map<WebSocket, SocketState>();

  async function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== '/') {
      refuseUpgrade(socket, 404, 'Not Found');
      return;
    }
    const token = url.searchParams.get('token');
    const path = loggablePath(url);
    let user: { userId: UserId; expiresAt: number } | null = null;
    if (token !== null && token !== '') {
      const verified = await verifier.verify(token);
      if (!verified.ok) {
        logger.info('connect', { code: 'UNAUTHORIZED', reason: verified.error.message, path });
        refuseUpgrade(socket, 401, 'Unauthorized');
        return;
      }
      user = verified.value;
    } else if (config.authMode === 'connect') {
      logger.info('connect', { code: 'UNAUTHORIZED', reason: 'no token', path });
      refuseUpgrade(socket, 401, 'Unauthorized');
      return;
    }
    if (socket.destroyed) return;
    wss.handleUpgrade(request, socket, head, (ws) => {
      onSocket(ws, user, request.socket.remoteAddress ?? null, path);
    });
  }

  function onSocket(
    ws: WebSocket,
    user: { userId: UserId; expiresAt: number } | null,
    sourceIp: string | null,
    path: string,
  ): void {
    const userId = user?.userId ?? null;
    const connectionId = newConnectionId();
    const state: SocketState = {
      connectionId,
      bucket: config.rateLimit > 0 ? new TokenBucket(config.rateLimit, config.rateBurst, clock.now()) : null,
      refused: 0,
      userId,
      alive: true,
      chain: Promise.resolve(),
      queued: 1, // the connect, below
      deadline: null,
      expiry: null,
    };
    states.set(ws, state);
    pusher.attach(connectionId, ws, sourceIp);
    // Frames are handled one after another, behind the connect: replies keep their order and
    // an early `authorize` never races the registry write.
    state.chain = connect
      .execute(user === null ? { connectionId } : { connectionId, ...user })
      .then((outcome) => {
        if (!outcome.ok) {
          ws.close(1011, 'connect failed');
          return;
        }
        logger.info('connect', { connectionId, anonymous: userId === null, path });
        const { authorizeBy, authExpiresAt } = outcome.value;
        if (authorizeBy !== null) {
          state.deadline = setTimeout(() => void onDeadline(state), Math.max(0, authorizeBy - clock.now()));
        }
        armExpiry(state, authExpiresAt);
      })
      .catch((error: unknown) => {
        logger.error('connect', { connectionId, code: 'INTERNAL', error: describeError(error) });
        ws.close(1011, 'connect failed');
      })
      .finally(() => {
        state.queued -= 1;
      });
    ws.on('pong', onPong);
    ws.on('message', onMessage);
    ws.on('close', onClose);
    ws.on('error', onError);
  }

  // Listeners shared by every socket (ws calls them with the socket as `this`), so an idle
  // socket holds no closures of its own (bench/RESULTS.md, capacity).
  function onPong(this: WebSocket): void {
    const state = states.get(this);
    if (state !== undefined) state.alive = true;
  }

  function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
    const state = states.get(this);
    if (state === undefined) return;
    pusher.touch(state.connectionId);
    if (state.bucket !== null && !state.bucket.tryTake(clock.now())) {
      onRateLimited(this, state);
      return;
    }
    state.refused = 0;
    // Nothing pending, and a frame that needs no I/O (ping, a malformed one): answered now,
    // without a promise; the order of replies is kept, as nothing is queued before it.
    if (state.queued === 0 && !isBinary) {
      const started = performance.now();
      const outcome = route.executeNow(routeInput(state, rawDataText(data)));
      if (outcome !== null) {
        reply(this, state, outcome, started);
        return;
      }
    }
    enqueue(state, () => onFrame(this, state, data, isBinary));
  }

  /** Adds work behind everything the socket has queued. */
  function enqueue(state: SocketState, work: () => Promise<void> | void): void {
    state.queued += 1;
    state.chain = state.chain.then(async () => {
      try {
        await work();
      } finally {
        state.queued -= 1;
      }
    });
  }

  function routeInput(state: SocketState, body: string): RouteInput {
    const { connectionId, userId } = state;
    return userId === null ? { connectionId, body } : { connectionId, body, userId };
  }

  /**
   * A frame over the socket's rate: answered with RATE_LIMITED (in order, behind the frames
   * before it) and not handled. A socket that goes on for a whole burst is closed.
   */
  function onRateLimited(ws: WebSocket, state: SocketState): void {
    state.refused += 1;
    if (state.refused > config.rateBurst) {
      logger.warn('rate-limit', { connectionId: state.connectionId, code: 'RATE_LIMITED', closed: true });
      // Long enough for a full burst to refill: a client that waits it out starts afresh.
      sendClosing(ws, 'RATE_LIMITED', (1000 * config.rateBurst) / Math.max(1, config.rateLimit));
      ws.close(RATE_LIMIT_CLOSE_CODE, 'rate limit exceeded');
      return;
    }
    if (state.refused === 1)
      logger.info('rate-limit', { connectionId: state.connectionId, code: 'RATE_LIMITED' });
    enqueue(state, () => {
      send(ws, RATE_LIMITED_FRAME);
    });
  }

  function onClose(this: WebSocket): void {
    const state = states.get(this);
    if (state === undefined) return;
    const { connectionId } = state;
    states.delete(this);
    pusher.detach(connectionId);
    if (state.deadline !== null) clearTimeout(state.deadline);
    if (state.expiry !== null) clearTimeout(state.expiry);
    state.chain = state.chain
      .then(() => disconnect.execute({ connectionId }))
      .then(() => {
        logger.info('disconnect', { connectionId });
      })
      .catch((error: unknown) => {
        logger.error('disconnect', { connectionId, error: describeError(error) });
      });
  }

  function onError(this: WebSocket, error: Error): void {
    logger.warn('socket', { connectionId: states.get(this)?.connectionId, error: error.message });
  }

  async function onFrame(ws: WebSocket, state: SocketState, data: RawData, isBinary: boolean): Promise<void> {
    const started = performance.now();
    const { connectionId } = state;
    if (isBinary) {
      send(
        ws,
        serializeFrame(errorFrame('MALFORMED_FRAME', 'binary frames are not supported; send JSON text')),
      );
      logger.info('frame', { connectionId, code: 'MALFORMED_FRAME', binary: true });
      return;
    }
    const outcome = await route.execute(routeInput(state, rawDataText(data)));
    reply(ws, state, outcome, started);
  }

  /** Sends a frame's reply, takes note of an authorization, and logs what needs logging. */
  function reply(ws: WebSocket, state: SocketState, outcome: RouteOutcome, started: number): void {
    if (outcome.reply.type === 'authorized') {
      state.userId = outcome.reply.userId;
      if (state.deadline !== null) clearTimeout(state.deadline);
      state.deadline = null;
      // The registry has the authorization's expiry (a fresh token moves it): re-arm on it.
      void repository.find(state.connectionId).then((connection) => {
        if (states.get(ws) === state) armExpiry(state, connection?.authExpiresAt ?? null);
      });
    }
    send(ws, outcome.payload);
    const counted = replyOutcomeOf(outcome.reply);
    if (counted !== null) metrics.count(counted);
    // Answered frames are DEBUG: at INFO, writing the line cost more CPU than handling the
    // frame (bench/RESULTS.md); error replies stay INFO and faults ERROR.
    if (outcome.code === null && outcome.fault === null && !debugEnabled()) return;
    const fields = {
      connectionId: state.connectionId,
      action: outcome.action,
      code: outcome.code,
      durationMs: Math.round(performance.now() - started),
    };
    if (outcome.fault !== null) logger.error('frame', { ...fields, error: describeError(outcome.fault) });
    else if (outcome.code === null) logger.debug('frame', fields);
    else logger.info('frame', fields);
  }

  /** Arms (or re-arms) the socket's token expiry timer; `null` disarms it. */
  function armExpiry(state: SocketState, expiresAt: number | null): void {
    if (state.expiry !== null) clearTimeout(state.expiry);
    state.expiry = null;
    if (expiresAt === null) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, expiresAt - clock.now()));
    state.expiry = setTimeout(() => void onExpiry(state, expiresAt), delay);
  }

  async function onExpiry(state: SocketState, expiresAt: number): Promise<void> {
    state.expiry = null;
    const { connectionId } = state;
    try {
      const outcome = await enforceExpiry.execute({ connectionId, expiresAt });
      if (outcome.value.result === 'not-due') armExpiry(state, expiresAt);
      else logger.info('token-expiry', { connectionId, result: outcome.value.result });
    } catch (error) {
      logger.error('token-expiry', { connectionId, error: describeError(error) });
    }
  }

  async function onDeadline(state: SocketState): Promise<void> {
    state.deadline = null;
    try {
      const outcome = await enforceDeadline.execute({ connectionId: state.connectionId });
      logger.info('authorize-deadline', { connectionId: state.connectionId, result: outcome.value.result });
    } catch (error) {
      logger.error('authorize-deadline', { connectionId: state.connectionId, error: describeError(error) });
    }
  }

  async function onRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const route = `${request.method ?? 'GET'} ${url.pathname}`;
    try {
      switch (route) {
        case 'GET /health': {
          sendJson(response, 200, { status: 'ok', connections: states.size });
          return;
        }
        case 'POST /token': {
          await postToken(request, response);
          return;
        }
        case 'POST /notify': {
          await postNotify(request, response);
          return;
        }
        case 'GET /metrics': {
          if (!sameSecret(bearerToken(request), apiKey)) {
            throw new HttpError(401, 'UNAUTHORIZED', 'an Authorization: Bearer <API key> header is required');
          }
          response.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' });
          response.end(metrics.render());
          return;
        }
        default: {
          sendError(response, 404, 'NOT_FOUND', `no route ${route}`);
          return;
        }
      }
    } catch (error) {
      if (error instanceof HttpError) {
        sendError(response, error.status, error.code, error.message);
        return;
      }
      logger.error('http', { route, error: describeError(error) });
      sendError(response, 500, 'INTERNAL', 'the server failed to handle this request');
      return;
    }
  }

  async function postToken(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (issuer === null) throw new HttpError(404, 'NOT_FOUND', 'POST /token is served in dev mode only');
    const body = parseJsonBody(await readBody(request));
    if (!isUserId(body.userId))
      throw new HttpError(
        400,
        'BAD_REQUEST',
        "'userId' must be a non-empty string of at most 256 characters",
      );
    const issued = await issuer.issue(body.userId);
    logger.info('token', { userId: body.userId });
    sendJson(response, 200, issued);
  }

  async function postNotify(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!sameSecret(bearerToken(request), apiKey)) {
      throw new HttpError(401, 'UNAUTHORIZED', 'an Authorization: Bearer <API key> header is required');
    }
    const parsed = parseNotifyUserMessage(await readBody(request));
    if (!parsed.ok) throw new HttpError(400, parsed.error.code, parsed.error.message);
    const outcome = await runNotifyUser(parsed.value.userId, parsed.value, randomUUID());
    if (!outcome.ok) throw new HttpError(413, outcome.error.code, outcome.error.message);
    sendJson(response, 202, {
      notificationId: outcome.value.notificationId,
      connections: outcome.value.enqueued,
      seq: outcome.value.seq,
      epoch: outcome.value.epoch,
    });
  }

  const http = createServer((request, response) => void onRequest(request, response));
  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', destroySocket);
    onUpgrade(request, socket, head).catch((error: unknown) => {
      logger.error('connect', { code: 'INTERNAL', error: describeError(error) });
      refuseUpgrade(socket, 500, 'Internal Server Error');
    });
  });
  const heartbeat = setInterval(() => {
    for (const [ws, state] of states) {
      // A socket that missed the last ping's pong is dead (half-open TCP): drop it.
      if (!state.alive) {
        ws.terminate();
        continue;
      }
      state.alive = false;
      ws.ping();
    }
  }, config.heartbeatMs);
  heartbeat.unref();

  const port = await listen(http, config.port, config.host);
  const host = urlHost(config.host);

  return {
    url: `ws://${host}:${port}/`,
    httpUrl: `http://${host}:${port}`,
    port,
    apiKey,
    notifyUser: (userId, data, id) =>
      queue.sendNotifyUser([id === undefined ? { userId, data } : { userId, data, id }]),
    connectionCount: () => states.size,
    async close() {
      clearInterval(heartbeat);
      for (const ws of states.keys()) {
        sendClosing(ws, 'SHUTDOWN');
        ws.close(1001, 'server shutting down');
      }
      await Promise.all([...states.values()].map((state) => state.chain));
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => {
        wss.close(() => {
          resolve();
        });
      });
      await closeServer(http);
      stopNotifyConnection();
      stopNotifyUser();
      queue.notifyConnection.clear();
      queue.notifyUser.clear();
    },
  };
}

/** AWS-shaped connection ids: 15 URL-safe base64 characters and `=`. */
function newConnectionId(): string {
  return `${randomBytes(11).toString('base64url')}=`;
}

/** A shared `error` listener for upgrading TCP sockets (no closure per socket). */
function destroySocket(this: Duplex): void {
  this.destroy();
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  if (socket.destroyed) return;
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function send(ws: WebSocket, payload: string): void {
  if (ws.readyState === ws.OPEN) ws.send(payload);
}

/** Tells the client why the server is about to close its socket (docs/protocol.md, `closing`). */
function sendClosing(ws: WebSocket, reason: ClosingReason, afterMs?: number): void {
  send(ws, serializeFrame(closingFrame(reason, afterMs)));
}

function parseJsonBody(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // Falls through to the 400 below.
  }
  throw new HttpError(400, 'BAD_REQUEST', 'the body must be a JSON object');
}

/** Compares secrets in constant time, so the API key cannot be guessed byte by byte. */
function sameSecret(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * The request's path and query for a log line, with every query value replaced: a token in a
 * URL (`?token=`) would otherwise reach every log store the line goes to, usable until it expires.
 */
function loggablePath(url: URL): string {
  if (url.search === '') return url.pathname;
  const names = [...new Set(url.searchParams.keys())];
  return `${url.pathname}?${names.map((name) => `${encodeURIComponent(name)}=REDACTED`).join('&')}`;
}
