import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { closeServer, isStageName, listen, urlHost } from '@pushline/adapters/system';
import { rawDataText } from '@pushline/adapters/ws';
import { isPlainObject } from '@pushline/core';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { checkIdentitySources, identitySourcesPresent, judgeAuthorizerOutput } from './authorizer.js';
import {
  type ApiFacts,
  authorizerEvent,
  type ConnectionFacts,
  connectEvent,
  disconnectEvent,
  gatewayErrorFrame,
  identityOf,
  messageEvent,
  readUpgrade,
} from './events.js';
import { FrameGuard, type FrameViolation } from './frame-guard.js';
import { awsStyleId } from './ids.js';
import { errorMessageOf, invoke } from './invoke.js';
import {
  handleManagementRequest,
  type ManagementFaultHook,
  type ManagementTarget,
} from './management-api.js';
import type {
  LambdaCallback,
  LambdaContext,
  WebSocketAuthorizerEvent,
  WebSocketConnectEvent,
  WebSocketDisconnectEvent,
  WebSocketEvent,
  WebSocketIdentity,
  WebSocketMessageEvent,
} from './types.js';

/**
 * A Lambda-style handler. Declared through a method so that parameters are checked
 * bivariantly: a handler typed with `@types/aws-lambda`'s event types can be configured as is.
 */
export type LambdaHandler<E> = {
  bivarianceHack(event: E, context: LambdaContext, callback: LambdaCallback): unknown;
}['bivarianceHack'];

/** One route: its handler, and whether it has a route response (two-way). */
export interface RouteConfig<E extends WebSocketEvent = WebSocketEvent> {
  readonly handler: LambdaHandler<E>;
  /** With a `$default` route response, the handler's `body` goes back to the client as one text frame. */
  readonly twoWay?: boolean;
  /** The Lambda function name in the handler's `context`; defaults to `local-<routeKey>`. */
  readonly functionName?: string;
}

/** Routes by route key: `$connect`, `$disconnect`, `$default` and custom keys (not starting with `$`). */
export interface LocalGatewayRoutes {
  readonly $connect?: RouteConfig<WebSocketConnectEvent>;
  readonly $disconnect?: RouteConfig<WebSocketDisconnectEvent>;
  readonly $default?: RouteConfig<WebSocketMessageEvent>;
  readonly [routeKey: string]: RouteConfig | undefined;
}

/** A Lambda REQUEST authorizer on `$connect`. */
export interface LocalGatewayAuthorizer {
  readonly handler: LambdaHandler<WebSocketAuthorizerEvent>;
  /**
   * Must all be present and non-empty, or the handshake gets 401 without invoking the handler:
   * `route.request.querystring.X`, `route.request.header.X` or `stageVariables.X`.
   */
  readonly identitySources: readonly string[];
  readonly functionName?: string;
}

/** Timers, in milliseconds. AWS values are the defaults. */
export interface LocalGatewayTimeouts {
  /** No message either way for this long closes the socket with 1001 (AWS: 10 minutes). */
  readonly idleMs: number;
  /** A connection is closed with 1001 after this long, active or not (AWS: 2 hours). */
  readonly maxDurationMs: number;
  /** A handler (or the authorizer) running longer is abandoned (AWS: 29 s at most). */
  readonly integrationMs: number;
  /** On {@link LocalGateway.close}, sockets that have not finished the close handshake by then are cut. */
  readonly closeGraceMs: number;
  /**
   * Time between the `$connect` handler's return and the socket opening (default 0). On AWS
   * this gap exists: a push to the connection inside it is answered 410 although the socket is
   * about to open. A few hundred ms makes the race reproducible.
   */
  readonly openDelayMs: number;
}

/** Size limits, in bytes. AWS values are the defaults. */
export interface LocalGatewayLimits {
  /** Largest client frame; a larger one closes the socket with 1009 (AWS: 32 KB). */
  readonly frameBytes: number;
  /** Largest client message (and `@connections` POST body); larger closes with 1009 / answers 413 (AWS: 128 KB). */
  readonly messageBytes: number;
}

/** One line the gateway reports: handler failures and lifecycle events. */
export interface LocalGatewayLogEntry {
  readonly level: 'info' | 'error';
  readonly message: string;
  readonly connectionId?: string;
  readonly routeKey?: string;
  readonly error?: string;
}

/** Everything {@link startLocalGateway} accepts. Only `routes` is required. */
export interface LocalGatewayOptions {
  /** Interface to listen on; default `127.0.0.1`. */
  readonly host?: string;
  /** Port for both the WebSocket and `@connections`; default 0 (a free port). */
  readonly port?: number;
  /** Stage name, the URL's first path segment; default `local`. */
  readonly stage?: string;
  readonly routes: LocalGatewayRoutes;
  /** `$request.body.<path>` with a dotted path; default `$request.body.action`. */
  readonly routeSelectionExpression?: string;
  readonly authorizer?: LocalGatewayAuthorizer;
  readonly timeouts?: Partial<LocalGatewayTimeouts>;
  readonly limits?: Partial<LocalGatewayLimits>;
  /** `requestContext.apiId`; default `pushlocal1`. */
  readonly apiId?: string;
  /** Region and account in the authorizer's `methodArn`; defaults `us-east-1`, `000000000000`. */
  readonly region?: string;
  readonly accountId?: string;
  /**
   * `requestContext.domainName`; default `<host>:<port>`, so that `http://${domainName}/${stage}`
   * is the management endpoint (AWS handlers use `https://`: take the scheme from configuration).
   */
  readonly domainName?: string;
  readonly stageVariables?: Readonly<Record<string, string>>;
  /** Called for every valid `@connections` request; may answer it with a fault (429, 500, …). */
  readonly managementFault?: ManagementFaultHook;
  /** Where handler failures are reported; default: error lines as JSON on stderr. */
  readonly log?: (entry: LocalGatewayLogEntry) => void;
}

/** A running gateway. */
export interface LocalGateway {
  /** `ws://<host>:<port>/<stage>` */
  readonly url: string;
  /** `http://<host>:<port>/<stage>`: the `endpoint` of an `ApiGatewayManagementApiClient`. */
  readonly managementEndpoint: string;
  readonly host: string;
  readonly port: number;
  readonly stage: string;
  /** The ids of the connections that are open now. */
  connectionIds(): readonly string[];
  /** Closes every socket (1001, running `$disconnect` once each), then the server. Idempotent. */
  close(): Promise<void>;
}

/** AWS's defaults (docs/api-gateway.md §7.2). */
export const DEFAULT_TIMEOUTS: LocalGatewayTimeouts = {
  idleMs: 10 * 60 * 1000,
  maxDurationMs: 2 * 60 * 60 * 1000,
  integrationMs: 29_000,
  closeGraceMs: 1000,
  openDelayMs: 0,
};

const DEFAULT_LIMITS: LocalGatewayLimits = { frameBytes: 32 * 1024, messageBytes: 128 * 1024 };

/** Starts a gateway and resolves once it listens. */
export async function startLocalGateway(options: LocalGatewayOptions): Promise<LocalGateway> {
  const gateway = new Gateway(options);
  await gateway.listen();
  return gateway;
}

interface LiveConnection {
  readonly facts: ConnectionFacts;
  readonly socket: WebSocket;
  lastActiveAt: number;
  state: 'open' | 'closing' | 'closed';
  closeStatus: { code: number; reason: string } | undefined;
  readonly idleTimer: NodeJS.Timeout;
  readonly maxTimer: NodeJS.Timeout;
  readonly finished: Promise<void>;
  finish(): void;
}

interface Admission {
  readonly facts: ConnectionFacts;
  readonly protocol: string | undefined;
}

type Verdict =
  | { readonly accept: true; readonly admission: Admission }
  | { readonly accept: false; readonly status: number };

const GOING_AWAY = { code: 1001, reason: 'Going away' };

class Gateway implements LocalGateway, ManagementTarget {
  readonly host: string;
  readonly stage: string;
  port = 0;
  private readonly routes: LocalGatewayRoutes;
  private readonly selectionPath: readonly string[];
  private readonly timeouts: LocalGatewayTimeouts;
  readonly limits: LocalGatewayLimits;
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly connections = new Map<string, LiveConnection>();
  /** Connections whose `$disconnect` has not finished yet, open or closing: what `close()` waits for. */
  private readonly unfinished = new Set<LiveConnection>();
  private readonly admissions = new WeakMap<IncomingMessage, Admission>();
  private readonly pendingSockets = new Set<Duplex>();
  private readonly log: (entry: LocalGatewayLogEntry) => void;
  readonly managementFault: ManagementFaultHook | undefined;
  private closing: Promise<void> | undefined;
  private api: ApiFacts | undefined;

  constructor(private readonly options: LocalGatewayOptions) {
    this.host = options.host ?? '127.0.0.1';
    this.stage = options.stage ?? 'local';
    if (!isStageName(this.stage)) throw new Error(`invalid stage name '${this.stage}'`);
    this.routes = options.routes;
    for (const key of Object.keys(this.routes)) {
      if (key.startsWith('$') && !['$connect', '$disconnect', '$default'].includes(key)) {
        throw new Error(`route keys starting with '$' are reserved: '${key}'`);
      }
    }
    this.selectionPath = parseSelectionExpression(options.routeSelectionExpression ?? '$request.body.action');
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    if (options.authorizer) checkIdentitySources(options.authorizer.identitySources);
    this.managementFault = options.managementFault;
    this.log = options.log ?? defaultLog;
    this.server = createServer((request, response) => {
      this.onRequest(request, response);
    });
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      // A backstop only: FrameGuard closes with 1009 first, per frame and per message.
      maxPayload: this.limits.messageBytes,
      verifyClient: (info, done) => {
        this.admit(info.req).then(
          (verdict) => {
            if (verdict.accept) {
              this.admissions.set(info.req, verdict.admission);
              done(true);
            } else {
              done(false, verdict.status);
            }
          },
          (error: unknown) => {
            this.log({ level: 'error', message: 'admission failed', error: errorMessageOf(error) });
            done(false, 500);
          },
        );
      },
      // Echo only what $connect chose; never pick a subprotocol on the handler's behalf.
      handleProtocols: (_offered, request) => this.admissions.get(request)?.protocol ?? false,
    });
    this.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.onUpgrade(request, socket, head);
    });
  }

  get url(): string {
    return `ws://${urlHost(this.host)}:${this.port}/${this.stage}`;
  }

  get managementEndpoint(): string {
    return `http://${urlHost(this.host)}:${this.port}/${this.stage}`;
  }

  connectionIds(): readonly string[] {
    return [...this.connections.keys()];
  }

  async listen(): Promise<void> {
    this.port = await listen(this.server, this.options.port ?? 0, this.host);
    this.api = {
      apiId: this.options.apiId ?? 'pushlocal1',
      stage: this.stage,
      domainName: this.options.domainName ?? `${urlHost(this.host)}:${this.port}`,
      stageVariables: this.options.stageVariables ?? {},
    };
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    for (const socket of this.pendingSockets) socket.destroy();
    const pending = [...this.unfinished];
    for (const connection of pending) this.closeConnection(connection, GOING_AWAY.code, GOING_AWAY.reason);
    const grace = setTimeout(() => {
      for (const connection of pending) connection.socket.terminate();
    }, this.timeouts.closeGraceMs);
    await Promise.all(pending.map((connection) => connection.finished));
    clearTimeout(grace);
    await closeServer(this.server);
  }

  private apiFacts(): ApiFacts {
    if (this.api === undefined) throw new Error('the gateway is not listening');
    return this.api;
  }

  // --- handshake -------------------------------------------------------------------------

  private onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => {
      socket.destroy();
    });
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (this.closing !== undefined || !this.isStagePath(path)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.pendingSockets.add(socket);
    socket.once('close', () => this.pendingSockets.delete(socket));
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      this.pendingSockets.delete(socket);
      this.onOpen(ws, request, socket);
    });
  }

  /** Runs the authorizer and `$connect` while the upgrade waits (the 101 follows only on success). */
  private async admit(request: IncomingMessage): Promise<Verdict> {
    const api = this.apiFacts();
    const now = Date.now();
    const facts: ConnectionFacts = {
      connectionId: awsStyleId(),
      connectedAt: now,
      identity: identityOf(request),
    };
    const upgrade = readUpgrade(request, this.port, now);
    const authorizer = this.options.authorizer;
    if (authorizer) {
      if (
        !identitySourcesPresent(
          authorizer.identitySources,
          upgrade.query,
          request.headers,
          api.stageVariables,
        )
      ) {
        return { accept: false, status: 401 };
      }
      const methodArn = `arn:aws:execute-api:${this.options.region ?? 'us-east-1'}:${
        this.options.accountId ?? '000000000000'
      }:${api.apiId}/${api.stage}/$connect`;
      const started = Date.now();
      const outcome = await invoke(
        authorizer.handler,
        authorizerEvent(api, facts, upgrade, methodArn),
        authorizer.functionName ?? 'local-authorizer',
        this.timeouts.integrationMs,
      );
      if (outcome.kind === 'timedOut') return { accept: false, status: 500 };
      if (outcome.kind === 'failed') {
        // Lambda reports `callback("Unauthorized")` and `throw new Error("Unauthorized")` alike.
        const message = errorMessageOf(outcome.error);
        if (message !== 'Unauthorized') {
          this.log({ level: 'error', message: 'authorizer failed', routeKey: '$connect', error: message });
        }
        return { accept: false, status: message === 'Unauthorized' ? 401 : 500 };
      }
      const verdict = judgeAuthorizerOutput(outcome.value, methodArn);
      if (verdict.kind === 'deny') return { accept: false, status: 403 };
      if (verdict.kind === 'malformed') {
        this.log({ level: 'error', message: 'malformed authorizer output', error: verdict.reason });
        return { accept: false, status: 500 };
      }
      facts.authorizer = {
        ...verdict.context,
        principalId: verdict.principalId,
        integrationLatency: Date.now() - started,
      };
    }
    let protocol: string | undefined;
    const route = this.routes.$connect;
    if (route) {
      const outcome = await invoke(
        route.handler,
        connectEvent(api, facts, upgrade),
        route.functionName ?? 'local-connect',
        this.timeouts.integrationMs,
      );
      if (outcome.kind === 'timedOut') return { accept: false, status: 504 };
      if (outcome.kind === 'failed') {
        this.log({
          level: 'error',
          message: '$connect handler failed',
          connectionId: facts.connectionId,
          routeKey: '$connect',
          error: errorMessageOf(outcome.error),
        });
        return { accept: false, status: 502 };
      }
      const status = statusCodeOf(outcome.value);
      if (status === undefined) return { accept: false, status: 502 };
      if (status < 200 || status > 299) return { accept: false, status };
      protocol = subprotocolOf(outcome.value);
    }
    if (this.timeouts.openDelayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.timeouts.openDelayMs));
    }
    if (this.closing !== undefined) return { accept: false, status: 503 };
    return { accept: true, admission: { facts, protocol } };
  }

  private onOpen(ws: WebSocket, request: IncomingMessage, socket: Duplex): void {
    const admission = this.admissions.get(request);
    this.admissions.delete(request);
    if (admission === undefined || this.closing !== undefined) {
      ws.terminate();
      return;
    }
    let finish = (): void => undefined;
    const finished = new Promise<void>((resolve) => {
      finish = () => {
        this.unfinished.delete(connection);
        resolve();
      };
    });
    const connection: LiveConnection = {
      facts: admission.facts,
      socket: ws,
      lastActiveAt: admission.facts.connectedAt,
      state: 'open',
      closeStatus: undefined,
      idleTimer: setTimeout(() => {
        this.closeConnection(connection, GOING_AWAY.code, GOING_AWAY.reason);
      }, this.timeouts.idleMs).unref(),
      maxTimer: setTimeout(() => {
        this.closeConnection(connection, GOING_AWAY.code, GOING_AWAY.reason);
      }, this.timeouts.maxDurationMs).unref(),
      finished,
      finish,
    };
    this.connections.set(admission.facts.connectionId, connection);
    this.unfinished.add(connection);
    // Sees each chunk before ws's own 'data' listener, so limits apply before a message is routed.
    const guard = new FrameGuard(this.limits.frameBytes, this.limits.messageBytes);
    socket.prependListener('data', (chunk: Buffer) => {
      const violation = guard.write(chunk);
      if (violation !== undefined) {
        const { code, reason } = closeStatusFor(violation);
        this.closeConnection(connection, code, reason);
      }
    });
    ws.on('message', (data, isBinary) => {
      this.onMessage(connection, data, isBinary);
    });
    ws.on('error', (error: Error & { code?: string }) => {
      // ws has already started the close; record what it will send for $disconnect.
      if (connection.state === 'open') {
        this.markClosing(connection, closeCodeOfWsError(error.code), error.message);
      }
    });
    ws.on('close', (code, reason) => {
      this.onClose(connection, code, reason.toString('utf8'));
    });
  }

  // --- messages ----------------------------------------------------------------------------

  private onMessage(connection: LiveConnection, data: RawData, isBinary: boolean): void {
    if (connection.state !== 'open') return;
    if (isBinary) {
      this.closeConnection(connection, 1003, closeStatusFor('binary').reason);
      return;
    }
    const now = Date.now();
    connection.lastActiveAt = now;
    connection.idleTimer.refresh();
    const body = rawDataText(data);
    const routeKey = this.selectRoute(body);
    const route = routeKey === undefined ? undefined : this.routes[routeKey];
    if (routeKey === undefined || route === undefined) {
      this.sendText(connection, gatewayErrorFrame('Forbidden', connection.facts.connectionId, awsStyleId()));
      return;
    }
    const event = messageEvent(this.apiFacts(), connection.facts, routeKey, body, now);
    void invoke(
      route.handler,
      event,
      route.functionName ?? `local-${routeKey}`,
      this.timeouts.integrationMs,
    ).then((outcome) => {
      const requestId = event.requestContext.requestId;
      const connectionId = connection.facts.connectionId;
      switch (outcome.kind) {
        case 'timedOut':
          this.log({ level: 'error', message: 'handler timed out', connectionId, routeKey });
          this.sendText(connection, gatewayErrorFrame('Endpoint request timed out', connectionId, requestId));
          return;
        case 'failed':
          this.log({
            level: 'error',
            message: 'handler failed',
            connectionId,
            routeKey,
            error: errorMessageOf(outcome.error),
          });
          this.sendText(connection, gatewayErrorFrame('Internal server error', connectionId, requestId));
          return;
        case 'returned': {
          if (route.twoWay !== true) return;
          const reply = responseBodyOf(outcome.value);
          if (reply !== undefined) this.sendText(connection, reply);
          return;
        }
      }
    });
  }

  /**
   * Evaluates `$request.body.<path>`: the value found is stringified; no value, a non-JSON
   * body, a reserved (`$…`) or unknown key select `$default`; with no `$default`, nothing.
   */
  private selectRoute(body: string): string | undefined {
    let key: string | undefined;
    try {
      let value: unknown = JSON.parse(body);
      for (const segment of this.selectionPath) {
        value = isPlainObject(value) && Object.hasOwn(value, segment) ? value[segment] : undefined;
      }
      key = stringifySelection(value);
    } catch {
      key = undefined;
    }
    if (key !== undefined && !key.startsWith('$') && Object.hasOwn(this.routes, key)) return key;
    return Object.hasOwn(this.routes, '$default') ? '$default' : undefined;
  }

  /** Sends gateway-originated text; messages over the frame limit go out as ≤ 32 KB fragments. */
  private sendText(connection: LiveConnection, text: string): boolean {
    if (connection.state !== 'open' || connection.socket.readyState !== WebSocket.OPEN) return false;
    const frameBytes = this.limits.frameBytes;
    if (text.length * 3 <= frameBytes) {
      connection.socket.send(text);
    } else {
      const bytes = Buffer.from(text, 'utf8');
      if (bytes.length <= frameBytes) {
        connection.socket.send(bytes, { binary: false });
      } else {
        for (let offset = 0; offset < bytes.length; offset += frameBytes) {
          const fin = offset + frameBytes >= bytes.length;
          connection.socket.send(bytes.subarray(offset, offset + frameBytes), { binary: false, fin });
        }
      }
    }
    connection.idleTimer.refresh();
    return true;
  }

  // --- closing -----------------------------------------------------------------------------

  private markClosing(connection: LiveConnection, code: number, reason: string): void {
    connection.state = 'closing';
    connection.closeStatus = { code, reason };
    this.connections.delete(connection.facts.connectionId);
    clearTimeout(connection.idleTimer);
    clearTimeout(connection.maxTimer);
  }

  private closeConnection(connection: LiveConnection, code: number, reason: string): void {
    if (connection.state !== 'open') return;
    this.markClosing(connection, code, reason);
    connection.socket.close(code, reason);
  }

  private onClose(connection: LiveConnection, code: number, reason: string): void {
    if (connection.state === 'closed') return;
    const status = connection.closeStatus ?? clientCloseStatus(code, reason);
    if (connection.state === 'open') this.markClosing(connection, status.code, status.reason);
    connection.state = 'closed';
    const route = this.routes.$disconnect;
    if (route === undefined) {
      connection.finish();
      return;
    }
    const event = disconnectEvent(this.apiFacts(), connection.facts, status.code, status.reason, Date.now());
    void invoke(
      route.handler,
      event,
      route.functionName ?? 'local-disconnect',
      this.timeouts.integrationMs,
    ).then((outcome) => {
      // Its result is ignored, as on AWS; failures are only reported.
      if (outcome.kind !== 'returned') {
        this.log({
          level: 'error',
          message: outcome.kind === 'failed' ? '$disconnect handler failed' : '$disconnect handler timed out',
          connectionId: connection.facts.connectionId,
          routeKey: '$disconnect',
          ...(outcome.kind === 'failed' ? { error: errorMessageOf(outcome.error) } : {}),
        });
      }
      connection.finish();
    });
  }

  // --- @connections --------------------------------------------------------------------------

  private onRequest(request: IncomingMessage, response: ServerResponse): void {
    handleManagementRequest(this, request, response).catch((error: unknown) => {
      this.log({ level: 'error', message: '@connections request failed', error: errorMessageOf(error) });
      if (!response.headersSent) {
        response.writeHead(500, {
          'Content-Type': 'application/json',
          'x-amzn-ErrorType': 'InternalServerErrorException',
        });
        response.end('{"message":"Internal server error"}');
      } else {
        response.destroy();
      }
    });
  }

  /** @internal for the management API */
  isStagePath(path: string): boolean {
    return path === `/${this.stage}` || path === `/${this.stage}/`;
  }

  /** @internal for the management API */
  stagePrefix(): string {
    return `/${this.stage}/`;
  }

  /** @internal for the management API */
  postToConnection(connectionId: string, text: string): boolean {
    const connection = this.connections.get(connectionId);
    if (connection === undefined) return false;
    return this.sendText(connection, text);
  }

  /** @internal for the management API */
  describeConnection(
    connectionId: string,
  ): { connectedAt: number; lastActiveAt: number; identity: WebSocketIdentity } | undefined {
    const connection = this.connections.get(connectionId);
    if (connection?.state !== 'open') return undefined;
    return {
      connectedAt: connection.facts.connectedAt,
      lastActiveAt: connection.lastActiveAt,
      identity: connection.facts.identity,
    };
  }

  /** @internal for the management API */
  deleteConnection(connectionId: string): boolean {
    const connection = this.connections.get(connectionId);
    if (connection?.state !== 'open') return false;
    // What AWS reports on $disconnect after DELETE @connections (boto/boto3#3789).
    this.markClosing(connection, 1000, 'Connection Closed Normally');
    connection.socket.close(1000);
    return true;
  }
}

function parseSelectionExpression(expression: string): readonly string[] {
  const prefix = '$request.body.';
  if (!expression.startsWith(prefix) || expression.length === prefix.length) {
    throw new Error(`unsupported route selection expression '${expression}': use $request.body.<path>`);
  }
  return expression.slice(prefix.length).split('.');
}

/** "Keep in mind that the result will be stringified" (D-ROUTES): 123 selects route "123". */
function stringifySelection(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** A missing result or `statusCode` counts as 200; anything but an integer 100–599 is a malformed response. */
function statusCodeOf(result: unknown): number | undefined {
  if (!isPlainObject(result) || result.statusCode === undefined || result.statusCode === null) return 200;
  const status = Number(result.statusCode);
  return Number.isInteger(status) && status >= 100 && status <= 599 ? status : undefined;
}

function subprotocolOf(result: unknown): string | undefined {
  if (!isPlainObject(result) || !isPlainObject(result.headers)) return undefined;
  for (const [name, value] of Object.entries(result.headers)) {
    if (name.toLowerCase() === 'sec-websocket-protocol' && typeof value === 'string') return value;
  }
  return undefined;
}

/** The body of a two-way route's response: strings as is, other values as JSON, nothing when absent. */
function responseBodyOf(result: unknown): string | undefined {
  if (typeof result === 'string') return result;
  if (!isPlainObject(result) || result.body === undefined || result.body === null) return undefined;
  return typeof result.body === 'string' ? result.body : JSON.stringify(result.body);
}

function closeStatusFor(violation: FrameViolation): { code: number; reason: string } {
  switch (violation) {
    case 'binary':
      return { code: 1003, reason: 'Binary frames are not supported' };
    case 'frameTooLarge':
      return { code: 1009, reason: 'Frame size limit exceeded' };
    case 'messageTooLarge':
      return { code: 1009, reason: 'Message size limit exceeded' };
  }
}

function clientCloseStatus(code: number, reason: string): { code: number; reason: string } {
  if (code === 1005) return { code, reason: 'Client-side close frame status not set' };
  if (code === 1006 && reason === '') return { code, reason: 'Connection closed abnormally' };
  return { code, reason };
}

function closeCodeOfWsError(code: string | undefined): number {
  if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return 1009;
  if (code === 'WS_ERR_INVALID_UTF8') return 1007;
  return 1002;
}

function defaultLog(entry: LocalGatewayLogEntry): void {
  if (entry.level === 'error')
    process.stderr.write(`${JSON.stringify({ source: 'local-gateway', ...entry })}\n`);
}
