import type { Context } from 'aws-lambda';

/** The parts of a WebSocket event's `requestContext` the handlers read (docs/api-gateway.md §2.1). */
export interface WebSocketRequestContext {
  readonly routeKey: string;
  readonly connectionId: string;
  readonly requestId: string;
  /** `{ principalId, integrationLatency, ...context }` after a Lambda authorizer's Allow, values stringified. */
  readonly authorizer?: Readonly<Record<string, unknown>> | null;
}

/** `$connect`, MESSAGE or `$disconnect`: only `$connect` has a query string, only MESSAGE a body. */
export interface WebSocketEvent {
  readonly requestContext: WebSocketRequestContext;
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>> | null;
  readonly body?: string | null;
}

/** A Lambda proxy result for a WebSocket route; on a two-way route `body` is the reply frame. */
export interface WebSocketResult {
  readonly statusCode: number;
  readonly body?: string;
}

export type WebSocketHandler = (event: WebSocketEvent, context: Context) => Promise<WebSocketResult>;

/** The user an authorizer put in the context, if any. */
export function authorizerUserId(event: WebSocketEvent): string | undefined {
  const userId = event.requestContext.authorizer?.userId;
  return typeof userId === 'string' && userId !== '' ? userId : undefined;
}
