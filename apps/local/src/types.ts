/**
 * The shapes the local gateway hands to Lambda-style handlers, modelled on what API Gateway
 * sends to Lambda proxy integrations of a WebSocket API (docs/api-gateway.md §2). They are
 * declared here rather than taken from `@types/aws-lambda`, which types only the MESSAGE shape.
 */

/** Who connected: the client's address, and its `User-Agent` when it sent one. */
export interface WebSocketIdentity {
  readonly sourceIp: string;
  readonly userAgent?: string;
}

/** The `requestContext` of every WebSocket event (CONNECT, MESSAGE, DISCONNECT). */
export interface WebSocketRequestContext {
  readonly routeKey: string;
  readonly eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
  readonly extendedRequestId: string;
  readonly requestTime: string;
  readonly messageDirection: 'IN';
  readonly stage: string;
  readonly connectedAt: number;
  readonly requestTimeEpoch: number;
  readonly identity: WebSocketIdentity;
  readonly requestId: string;
  readonly domainName: string;
  readonly connectionId: string;
  readonly apiId: string;
  /** Only on MESSAGE events. */
  readonly messageId?: string;
  /** `{ principalId, integrationLatency, ...context }` when a Lambda authorizer admitted the connection. */
  readonly authorizer?: Readonly<Record<string, string | number>>;
  /** Only on DISCONNECT events. */
  readonly disconnectStatusCode?: number;
  /** Only on DISCONNECT events. */
  readonly disconnectReason?: string;
}

/** The `$connect` event: the upgrade request's headers and query string, no body. */
export interface WebSocketConnectEvent {
  readonly headers: Readonly<Record<string, string>>;
  readonly multiValueHeaders: Readonly<Record<string, readonly string[]>>;
  /** Present only when the URL had a query string. */
  readonly queryStringParameters?: Readonly<Record<string, string>>;
  /** Present only when the URL had a query string. */
  readonly multiValueQueryStringParameters?: Readonly<Record<string, readonly string[]>>;
  readonly stageVariables?: Readonly<Record<string, string>>;
  readonly requestContext: WebSocketRequestContext;
  readonly isBase64Encoded: false;
}

/** A client message routed to a custom route or `$default`: the frame's text as sent. */
export interface WebSocketMessageEvent {
  readonly requestContext: WebSocketRequestContext & { readonly messageId: string };
  readonly body: string;
  readonly isBase64Encoded: false;
  readonly stageVariables?: Readonly<Record<string, string>>;
}

/** The `$disconnect` event: a fixed synthetic header set and the close status. */
export interface WebSocketDisconnectEvent {
  readonly headers: Readonly<Record<string, string>>;
  readonly multiValueHeaders: Readonly<Record<string, readonly string[]>>;
  readonly requestContext: WebSocketRequestContext & {
    readonly disconnectStatusCode: number;
    readonly disconnectReason: string;
  };
  readonly isBase64Encoded: false;
  readonly stageVariables?: Readonly<Record<string, string>>;
}

/** Any event a route handler receives. */
export type WebSocketEvent = WebSocketConnectEvent | WebSocketMessageEvent | WebSocketDisconnectEvent;

/** The input of a Lambda REQUEST authorizer on `$connect`. */
export interface WebSocketAuthorizerEvent {
  readonly type: 'REQUEST';
  readonly methodArn: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly multiValueHeaders: Readonly<Record<string, readonly string[]>>;
  readonly queryStringParameters: Readonly<Record<string, string>>;
  readonly multiValueQueryStringParameters: Readonly<Record<string, readonly string[]>>;
  readonly stageVariables: Readonly<Record<string, string>>;
  readonly requestContext: WebSocketRequestContext;
}

/** The Lambda `context` object, with the members handlers commonly read. */
export interface LambdaContext {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

/** The Node.js Lambda callback: `callback(error)` fails the invocation, `callback(null, result)` returns. */
export type LambdaCallback = (error?: unknown, result?: unknown) => void;
