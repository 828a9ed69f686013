import { Logger, LogLevelThreshold } from '@aws-lambda-powertools/logger';
import { JoseTokenIssuer, JoseTokenVerifier, MIN_SECRET_BYTES } from '@pushline/adapters/jose';
import {
  InMemoryConnectionRepository,
  InMemoryMessageQueue,
  InMemoryNotificationStream,
  MAX_MEMORY_PAGE_SIZE,
} from '@pushline/adapters/memory';
import { SystemClock } from '@pushline/adapters/system';
import { WsConnectionPusher, WsSessionRegistry } from '@pushline/adapters/ws';
import {
  Authorize,
  type Clock,
  Connect,
  type ConnectionPusher,
  builtInActions,
  Disconnect,
  EnforceAuthorizeDeadline,
  EnforceTokenExpiry,
  NotifyConnection,
  NotifyUser,
  Route,
  type TokenVerifier,
} from '@pushline/core';
import { randomBytes } from 'node:crypto';
import type { ServerConfig } from './config.js';
import { describeError } from './describe-error.js';
import type { HttpApiServices } from './http-api.js';
import { ServerMetrics } from './metrics.js';
import { notifyUserRun, type QueueServices } from './queue-consumers.js';
import { type Session, socketListeners } from './session.js';
import type { UpgradeServices } from './upgrade.js';

/** Close code for a socket that did not authorize in time (1008: policy violation). */
export const AUTHORIZE_DEADLINE_CLOSE_CODE = 1008;

/** Close code for a socket whose token expired without a fresh one (1008: policy violation). */
const TOKEN_EXPIRED_CLOSE_CODE = 1008;

/** Options of `startServer` that replace a part of the composition. */
export interface ServerOptions {
  /** Defaults to a Powertools Logger with service name `pushline-server`. */
  readonly logger?: Logger;
  /** Log level of the default logger (Powertools also reads `POWERTOOLS_LOG_LEVEL`). */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  /** Where "now" comes from (records, deadlines, the stream's retention); default the system clock. */
  readonly clock?: Clock;
}

/** Everything the server's modules use, built once from the config. */
export interface ServerParts extends UpgradeServices, HttpApiServices, QueueServices {
  readonly queue: InMemoryMessageQueue;
}

/**
 * Builds the standalone server's adapters (in-memory registry, queues and stream, the `ws`
 * pusher over the one session registry, jose tokens) and its use cases from the config.
 * Starts nothing: `startServer` starts the consumers, the heartbeat and the listener.
 */
export function composeServer(config: ServerConfig, options: ServerOptions = {}): ServerParts {
  const logger =
    options.logger ??
    new Logger({
      serviceName: 'pushline-server',
      ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
    });
  // Powertools reads the environment on every `debug` call, and on every read of `level`, even
  // when DEBUG is off; per frame that was 2–5% of the server's CPU. The level is read once here.
  const debugEnabled = logger.level <= LogLevelThreshold.DEBUG;
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
  const sessions = new WsSessionRegistry<Session>();
  const pusher = new WsConnectionPusher(sessions);
  const secret =
    config.tokenKeys.kind === 'secret'
      ? (config.tokenKeys.secret ?? randomBytes(MIN_SECRET_BYTES).toString('hex'))
      : null;
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

  const stream = new InMemoryNotificationStream({ clock, retentionMs: config.streamRetentionMs });
  // The registry is in this process's memory, so a page costs no I/O, while each page sorts
  // the user's ids: the largest page walks 10,000 sockets in 10 pages instead of 100.
  const notifyUser = new NotifyUser(repository, queue, clock, stream, { pageSize: MAX_MEMORY_PAGE_SIZE });
  // The deadline and the expiry close with 1008 and a reason, so a client can tell why it was dropped.
  const closingWith = (code: number, reason: string): ConnectionPusher => ({
    push: (id, payload) => pusher.push(id, payload),
    info: (id) => pusher.info(id),
    disconnect: (id) => pusher.close(id, code, reason),
  });

  return {
    logger,
    debugEnabled,
    clock,
    metrics,
    queue,
    sessions,
    listeners: socketListeners(sessions),
    verifier,
    issuer,
    apiKey: config.apiKey ?? randomBytes(24).toString('base64url'),
    authMode: config.authMode,
    rateLimit: config.rateLimit,
    rateBurst: config.rateBurst,
    connect: new Connect(repository, verifier, clock, {
      allowAnonymous: config.authMode === 'either',
      authorizeDeadlineMs: config.authorizeDeadlineMs,
      // The registry lives in this process with its sockets, and a socket's close always removes
      // its record (no $disconnect to lose, no 2-hour cap): a record lives as long as its socket.
      ttlMs: Number.POSITIVE_INFINITY,
    }),
    disconnect: new Disconnect(repository),
    route: new Route(repository, builtInActions({ authorize: new Authorize(repository, verifier), stream })),
    notifyConnection: new NotifyConnection(pusher, repository, clock),
    runNotifyUser: notifyUserRun(notifyUser, metrics, logger),
    enforceDeadline: new EnforceAuthorizeDeadline(
      repository,
      closingWith(AUTHORIZE_DEADLINE_CLOSE_CODE, 'authorize deadline passed'),
    ),
    // A token's expiry: a timer per socket (no scheduler, so an early fire reports `not-due`).
    enforceExpiry: new EnforceTokenExpiry(
      repository,
      closingWith(TOKEN_EXPIRED_CLOSE_CODE, 'token expired'),
      clock,
    ),
    connectionCount: () => sessions.size,
  };
}
