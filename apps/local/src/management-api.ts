import { readBody } from '@pushline/adapters/system';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { awsStyleId, WELL_FORMED_CONNECTION_ID } from './ids.js';
import type { WebSocketIdentity } from './types.js';

/** The three operations of the API Gateway Management API. */
export type ManagementOperation = 'PostToConnection' | 'GetConnection' | 'DeleteConnection';

/** A valid `@connections` request, as the fault hook sees it. */
export interface ManagementRequest {
  readonly operation: ManagementOperation;
  readonly connectionId: string;
  readonly body: Buffer;
  readonly headers: IncomingMessage['headers'];
}

/** A fault to answer instead of performing the operation, e.g. `{ statusCode: 429, errorType: 'LimitExceededException' }`. */
export interface ManagementFault {
  readonly statusCode: number;
  /** Sent as `x-amzn-ErrorType`, which the SDK turns into the exception's `name`. */
  readonly errorType?: string;
  readonly message?: string;
}

/** Decides, per request, whether to inject a fault; `undefined` lets the request through. */
export type ManagementFaultHook = (
  request: ManagementRequest,
) => ManagementFault | undefined | Promise<ManagementFault | undefined>;

/** What the management API needs from the gateway. */
export interface ManagementTarget {
  readonly limits: { readonly messageBytes: number };
  readonly managementFault: ManagementFaultHook | undefined;
  isStagePath(path: string): boolean;
  stagePrefix(): string;
  postToConnection(connectionId: string, text: string): boolean;
  describeConnection(
    connectionId: string,
  ): { connectedAt: number; lastActiveAt: number; identity: WebSocketIdentity } | undefined;
  deleteConnection(connectionId: string): boolean;
}

const OPERATIONS: Readonly<Record<string, ManagementOperation>> = {
  POST: 'PostToConnection',
  GET: 'GetConnection',
  DELETE: 'DeleteConnection',
};

/**
 * Serves `/{stage}/@connections/{id}` (`@` may come as `%40`, and the id URL-encoded, as the SDK
 * sends it). Errors carry `x-amzn-ErrorType` so that SDK v3 throws the typed exception
 * (GoneException, PayloadTooLargeException, BadRequestException); signatures are accepted unchecked.
 */
export async function handleManagementRequest(
  target: ManagementTarget,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = request.url ?? '/';
  const path = url.split('?')[0] ?? '/';
  const method = request.method ?? 'GET';
  if (target.isStagePath(path)) {
    await readBody(request, 0);
    // A plain HTTP request to the WebSocket URL.
    reply(response, 426, { 'Content-Type': 'text/plain', Upgrade: 'websocket' }, 'Upgrade Required');
    return;
  }
  const prefix = target.stagePrefix();
  const match = path.startsWith(prefix)
    ? /^(?:@|%40)connections\/(.+)$/i.exec(path.slice(prefix.length))
    : null;
  const operation = Object.hasOwn(OPERATIONS, method) ? OPERATIONS[method] : undefined;
  const rawId = match?.[1];
  if (rawId === undefined || operation === undefined) {
    await readBody(request, 0);
    // API Gateway's answer for a resource or method it does not have.
    fail(response, 403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    return;
  }
  const body = await readBody(request, target.limits.messageBytes);
  const connectionId = decode(rawId);
  if (connectionId === undefined || !WELL_FORMED_CONNECTION_ID.test(connectionId)) {
    fail(response, 400, 'BadRequestException', 'Invalid connectionId');
    return;
  }
  if (body === undefined) {
    fail(response, 413, 'PayloadTooLargeException', 'Request payload too large');
    return;
  }
  const fault = await target.managementFault?.({ operation, connectionId, body, headers: request.headers });
  if (fault !== undefined) {
    fail(response, fault.statusCode, fault.errorType ?? `Status${fault.statusCode}`, fault.message ?? null);
    return;
  }
  switch (operation) {
    case 'PostToConnection':
      // Gateway frames are text frames; invalid UTF-8 is replaced rather than sent as is.
      if (!target.postToConnection(connectionId, body.toString('utf8'))) {
        gone(response);
        return;
      }
      reply(response, 200, {}, '');
      return;
    case 'GetConnection': {
      const info = target.describeConnection(connectionId);
      if (info === undefined) {
        gone(response);
        return;
      }
      const document = {
        connectedAt: new Date(info.connectedAt).toISOString(),
        identity: info.identity,
        lastActiveAt: new Date(info.lastActiveAt).toISOString(),
      };
      reply(response, 200, { 'Content-Type': 'application/json' }, JSON.stringify(document));
      return;
    }
    case 'DeleteConnection':
      if (!target.deleteConnection(connectionId)) {
        gone(response);
        return;
      }
      reply(response, 204, {}, '');
      return;
  }
}

function decode(raw: string): string | undefined {
  if (raw.includes('/')) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

function gone(response: ServerResponse): void {
  // Real AWS sends the type and no message (aws/aws-sdk-js#3773).
  fail(response, 410, 'GoneException', null);
}

function fail(response: ServerResponse, status: number, errorType: string, message: string | null): void {
  reply(
    response,
    status,
    { 'Content-Type': 'application/json', 'x-amzn-ErrorType': errorType },
    JSON.stringify({ message }),
  );
}

function reply(
  response: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string,
): void {
  response.writeHead(status, {
    ...headers,
    'x-amzn-RequestId': awsStyleId(),
    'Content-Length': String(Buffer.byteLength(body)),
  });
  response.end(body);
}
