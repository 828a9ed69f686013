import {
  ApiGatewayManagementApiClient,
  type ApiGatewayManagementApiClientConfig,
  DeleteConnectionCommand,
  GetConnectionCommand,
  type GetConnectionCommandOutput,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import {
  type ConnectionId,
  type ConnectionInfo,
  type ConnectionPusher,
  fail,
  ok,
  type Outcome,
  type PushOutcome,
  TransientError,
} from '@pushline/core';

/**
 * Options of {@link ApiGatewayConnectionPusher}: either a ready client (shared across adapters,
 * or one a test configured), or the endpoint to build one for.
 */
export type ApiGatewayConnectionPusherOptions =
  | {
      /**
       * A Management API client whose `endpoint` is the WebSocket API's stage URL,
       * `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}` on AWS
       * (or the custom domain plus base path); `http://127.0.0.1:3001/local` for the local gateway.
       */
      readonly client: ApiGatewayManagementApiClient;
    }
  | {
      /**
       * The stage URL (see {@link managementEndpoint}): `https://…` on AWS, `http://…` locally.
       * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-how-to-call-websocket-api-connections.html
       */
      readonly endpoint: string;
      /** Further client settings (region, credentials, `maxAttempts`, …); `endpoint` is set from above. */
      readonly clientConfig?: Omit<ApiGatewayManagementApiClientConfig, 'endpoint'>;
    };

/**
 * The Management API endpoint of a WebSocket API stage, from what API Gateway puts in every
 * event's `requestContext` (`domainName`, `stage`). The scheme comes from configuration:
 * `https` on AWS, `http` for the local gateway, whose `domainName` is `host:port`.
 */
export function managementEndpoint(
  domainName: string,
  stage: string,
  scheme: 'https' | 'http' = 'https',
): string {
  return `${scheme}://${domainName}/${stage}`;
}

/** Exception names API Gateway (and the SDK's retry classifier) use for throttling. */
const THROTTLING_NAMES = new Set([
  'LimitExceededException',
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
]);

/**
 * Pushes to the sockets API Gateway holds, through the Management API
 * (`POST|GET|DELETE @connections/{connectionId}`).
 *
 * Guarantees (the `ConnectionPusher` contract, test/contracts/connection-pusher.contract.ts):
 * - `push` sends the text as one WebSocket message (API Gateway may split it into frames of
 *   32 KB); the SDK's `Data` is capped at 131072 bytes, so a larger UTF-8 payload comes back from
 *   API Gateway as 413 `PayloadTooLargeException` and is returned as `PAYLOAD_TOO_LARGE`, with
 *   nothing sent. Limits: https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html
 * - a connection that no longer exists (410 `GoneException`: closed, never seen, or still in
 *   its `$connect`) is returned as `CONNECTION_GONE`, by `push`, `disconnect` and `info` alike.
 *   https://repost.aws/knowledge-center/410-gone-api-gateway
 * - throttling (429, `LimitExceededException`, `TooManyRequestsException`) and 5xx are thrown as
 *   core's `TransientError` (code `TRANSIENT_FAILURE`) with the SDK error as `cause`, after the
 *   SDK's own retries (`maxAttempts`, 3 by default); anything else (403 `ForbiddenException`
 *   for a missing `execute-api:ManageConnections` permission, network errors) is rethrown unchanged.
 * - `disconnect` is not idempotent: a second call reports `CONNECTION_GONE`.
 *
 * @example
 * ```ts
 * const pusher = new ApiGatewayConnectionPusher({
 *   endpoint: managementEndpoint(event.requestContext.domainName, event.requestContext.stage),
 * });
 * const pushed = await pusher.push(connectionId, '{"type":"pong"}');
 * ```
 */
export class ApiGatewayConnectionPusher implements ConnectionPusher {
  private readonly client: ApiGatewayManagementApiClient;

  constructor(options: ApiGatewayConnectionPusherOptions) {
    this.client =
      'client' in options
        ? options.client
        : new ApiGatewayManagementApiClient({ ...options.clientConfig, endpoint: options.endpoint });
  }

  /** Sends `payload` as one text message; `CONNECTION_GONE` or `PAYLOAD_TOO_LARGE` when nothing was sent. */
  async push(connectionId: ConnectionId, payload: string): Promise<PushOutcome> {
    try {
      await this.client.send(
        new PostToConnectionCommand({ ConnectionId: connectionId, Data: new TextEncoder().encode(payload) }),
      );
      return ok(undefined);
    } catch (error) {
      if (isError(error, 'GoneException', 410)) return gone(connectionId);
      if (isError(error, 'PayloadTooLargeException', 413)) {
        return fail('PAYLOAD_TOO_LARGE', `API Gateway refused a payload to ${connectionId} as too large`);
      }
      throw translate(error, 'PostToConnection');
    }
  }

  /** Closes the connection (API Gateway then runs `$disconnect`); `CONNECTION_GONE` if there was none. */
  async disconnect(connectionId: ConnectionId): Promise<Outcome<void, 'CONNECTION_GONE'>> {
    try {
      await this.client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
      return ok(undefined);
    } catch (error) {
      if (isError(error, 'GoneException', 410)) return gone(connectionId);
      throw translate(error, 'DeleteConnection');
    }
  }

  /** Describes a live connection (times in epoch ms); `CONNECTION_GONE` if there is none. */
  async info(connectionId: ConnectionId): Promise<Outcome<ConnectionInfo, 'CONNECTION_GONE'>> {
    let output: GetConnectionCommandOutput;
    try {
      output = await this.client.send(new GetConnectionCommand({ ConnectionId: connectionId }));
    } catch (error) {
      if (isError(error, 'GoneException', 410)) return gone(connectionId);
      throw translate(error, 'GetConnection');
    }
    // The model marks both times as present; a response without them is a broken peer, not a gone socket.
    const connectedAt = output.ConnectedAt?.getTime();
    if (connectedAt === undefined || Number.isNaN(connectedAt)) {
      throw new Error(`GetConnection returned no connectedAt for ${connectionId}`);
    }
    const lastActiveAt = output.LastActiveAt?.getTime() ?? connectedAt;
    return ok({ connectedAt, lastActiveAt, sourceIp: output.Identity?.SourceIp ?? null });
  }
}

function gone(connectionId: ConnectionId): {
  readonly ok: false;
  readonly error: { code: 'CONNECTION_GONE'; message: string };
} {
  return fail('CONNECTION_GONE', `connection ${connectionId} is gone`);
}

/** The HTTP status the SDK recorded on a service error, if any. */
function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return undefined;
  const metadata = error.$metadata;
  if (typeof metadata !== 'object' || metadata === null || !('httpStatusCode' in metadata)) return undefined;
  return typeof metadata.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}

function nameOf(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/**
 * Matches by name first and by status as a fallback: clients that get no `x-amzn-ErrorType`
 * name the error `Unknown` (or after the status), and names survive duplicated SDK bundles.
 */
function isError(error: unknown, name: string, status: number): boolean {
  return nameOf(error) === name || statusOf(error) === status;
}

function translate(error: unknown, operation: string): unknown {
  const status = statusOf(error);
  const name = nameOf(error);
  const throttled = status === 429 || (name !== undefined && THROTTLING_NAMES.has(name));
  if (throttled || (status !== undefined && status >= 500)) {
    return new TransientError(
      `${operation} failed with ${name ?? 'an error'}${status === undefined ? '' : ` (HTTP ${status})`}`,
      { cause: error },
    );
  }
  return error;
}
