import type { IncomingMessage } from 'node:http';
import { awsStyleId, clfTime, traceId } from './ids.js';
import type {
  WebSocketAuthorizerEvent,
  WebSocketConnectEvent,
  WebSocketDisconnectEvent,
  WebSocketIdentity,
  WebSocketMessageEvent,
  WebSocketRequestContext,
} from './types.js';

/** What stays the same on every event of one connection. */
export interface ConnectionFacts {
  readonly connectionId: string;
  readonly connectedAt: number;
  readonly identity: WebSocketIdentity;
  authorizer?: Readonly<Record<string, string | number>>;
}

/** The API-wide values of `requestContext`. */
export interface ApiFacts {
  readonly apiId: string;
  readonly stage: string;
  readonly domainName: string;
  readonly stageVariables: Readonly<Record<string, string>>;
}

/** The upgrade request, read once: headers with the client's spelling, and the query string. */
export interface UpgradeFacts {
  readonly headers: Record<string, string>;
  readonly multiValueHeaders: Record<string, string[]>;
  readonly query: URLSearchParams;
  readonly hasQuery: boolean;
}

/** `Connection` and `Upgrade` reach the authorizer but not the `$connect` integration (EV-PT captures). */
const HOP_HEADERS = new Set(['connection', 'upgrade']);

export function readUpgrade(request: IncomingMessage, port: number, now: number): UpgradeFacts {
  // Maps, not object literals, so that a header named `__proto__` is just a header.
  const multi = new Map<string, string[]>();
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? '';
    const values = multi.get(name) ?? [];
    values.push(raw[i + 1] ?? '');
    multi.set(name, values);
  }
  const forwarded: [string, string][] = [
    ['X-Amzn-Trace-Id', traceId(now)],
    ['X-Forwarded-For', sourceIpOf(request)],
    ['X-Forwarded-Port', String(port)],
    ['X-Forwarded-Proto', 'http'],
  ];
  for (const [name, value] of forwarded) {
    for (const key of [...multi.keys()]) if (key.toLowerCase() === name.toLowerCase()) multi.delete(key);
    multi.set(name, [value]);
  }
  const url = request.url ?? '/';
  const mark = url.indexOf('?');
  const queryText = mark === -1 ? '' : url.slice(mark + 1);
  return {
    headers: Object.fromEntries([...multi].map(([name, values]) => [name, values.at(-1) ?? ''])),
    multiValueHeaders: Object.fromEntries(multi),
    query: new URLSearchParams(queryText),
    hasQuery: mark !== -1,
  };
}

function sourceIpOf(request: IncomingMessage): string {
  const address = request.socket.remoteAddress ?? '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

export function identityOf(request: IncomingMessage): WebSocketIdentity {
  const userAgent = request.headers['user-agent'];
  return userAgent === undefined
    ? { sourceIp: sourceIpOf(request) }
    : { sourceIp: sourceIpOf(request), userAgent };
}

function requestContext<E extends Partial<WebSocketRequestContext>>(
  api: ApiFacts,
  connection: ConnectionFacts,
  routeKey: string,
  eventType: WebSocketRequestContext['eventType'],
  now: number,
  extra: E,
): WebSocketRequestContext & E {
  const requestId = awsStyleId();
  return {
    routeKey,
    eventType,
    extendedRequestId: requestId,
    requestTime: clfTime(now),
    messageDirection: 'IN',
    stage: api.stage,
    connectedAt: connection.connectedAt,
    requestTimeEpoch: now,
    identity: connection.identity,
    requestId,
    domainName: api.domainName,
    connectionId: connection.connectionId,
    apiId: api.apiId,
    ...(connection.authorizer === undefined ? {} : { authorizer: connection.authorizer }),
    ...extra,
  };
}

function queryOf(query: URLSearchParams): {
  single: Record<string, string>;
  multi: Record<string, string[]>;
} {
  const multi = new Map<string, string[]>();
  for (const [key, value] of query) {
    const values = multi.get(key) ?? [];
    values.push(value);
    multi.set(key, values);
  }
  return {
    single: Object.fromEntries([...multi].map(([key, values]) => [key, values.at(-1) ?? ''])),
    multi: Object.fromEntries(multi),
  };
}

function withStageVariables(api: ApiFacts): { stageVariables?: Readonly<Record<string, string>> } {
  return Object.keys(api.stageVariables).length === 0 ? {} : { stageVariables: api.stageVariables };
}

export function connectEvent(
  api: ApiFacts,
  connection: ConnectionFacts,
  upgrade: UpgradeFacts,
): WebSocketConnectEvent {
  const keep = ([name]: [string, unknown]): boolean => !HOP_HEADERS.has(name.toLowerCase());
  const headers = Object.fromEntries(Object.entries(upgrade.headers).filter(keep));
  const multiValueHeaders = Object.fromEntries(Object.entries(upgrade.multiValueHeaders).filter(keep));
  const query = queryOf(upgrade.query);
  return {
    headers,
    multiValueHeaders,
    ...(upgrade.hasQuery
      ? { queryStringParameters: query.single, multiValueQueryStringParameters: query.multi }
      : {}),
    ...withStageVariables(api),
    requestContext: requestContext(api, connection, '$connect', 'CONNECT', connection.connectedAt, {}),
    isBase64Encoded: false,
  };
}

export function authorizerEvent(
  api: ApiFacts,
  connection: ConnectionFacts,
  upgrade: UpgradeFacts,
  methodArn: string,
): WebSocketAuthorizerEvent {
  const query = queryOf(upgrade.query);
  return {
    type: 'REQUEST',
    methodArn,
    headers: upgrade.headers,
    multiValueHeaders: upgrade.multiValueHeaders,
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    stageVariables: api.stageVariables,
    requestContext: requestContext(api, connection, '$connect', 'CONNECT', connection.connectedAt, {}),
  };
}

export function messageEvent(
  api: ApiFacts,
  connection: ConnectionFacts,
  routeKey: string,
  body: string,
  now: number,
): WebSocketMessageEvent {
  return {
    requestContext: requestContext(api, connection, routeKey, 'MESSAGE', now, { messageId: awsStyleId() }),
    body,
    isBase64Encoded: false,
    ...withStageVariables(api),
  };
}

export function disconnectEvent(
  api: ApiFacts,
  connection: ConnectionFacts,
  statusCode: number,
  reason: string,
  now: number,
): WebSocketDisconnectEvent {
  // API Gateway sends this fixed, synthetic header set on $disconnect (EV-PT capture).
  const headers = { Host: api.domainName, 'x-api-key': '', 'X-Forwarded-For': '', 'x-restapi': '' };
  const multiValueHeaders = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, [value]]),
  );
  return {
    headers,
    multiValueHeaders,
    requestContext: requestContext(api, connection, '$disconnect', 'DISCONNECT', now, {
      disconnectStatusCode: statusCode,
      disconnectReason: reason,
    }),
    isBase64Encoded: false,
    ...withStageVariables(api),
  };
}

/** The text of API Gateway's own error frames, byte for byte (spacing included, docs/api-gateway.md §5). */
export function gatewayErrorFrame(message: string, connectionId: string, requestId: string): string {
  return `{"message": ${JSON.stringify(message)}, "connectionId":${JSON.stringify(connectionId)}, "requestId":${JSON.stringify(requestId)}}`;
}
