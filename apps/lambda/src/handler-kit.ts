import type { Logger } from '@aws-lambda-powertools/logger';
import { httpStatusOf, type TokenVerifier, type UserId } from '@pushline/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { WebSocketEvent } from './events.js';
import { bearerToken, httpError, type HttpResult } from './http.js';
import { elapsed, logOutcome, loggingFaults, type RequestFields } from './outcomes.js';

/** One invocation being handled: its event, and the one outcome line it logs. */
export interface Invocation<E> {
  readonly event: E;
  /** Logs the outcome (`code` `null` for a success) with the time since the invocation began. */
  readonly outcome: (code: string | null, fields?: Readonly<Record<string, unknown>>) => void;
}

/**
 * A handler with the preamble every request handler shares: the Lambda context on the logger,
 * the start time, and a thrown fault logged as the outcome (its code, or `INTERNAL`) and rethrown.
 * `fieldsOf` names the request in the log line (`requestId`, `route`, ids; never a token).
 */
export function handler<E, R>(
  logger: Logger,
  fieldsOf: (event: E) => RequestFields,
  body: (invocation: Invocation<E>) => Promise<R>,
): (event: E, context: Context) => Promise<R> {
  return (event, context) => {
    logger.addContext(context);
    const started = performance.now();
    const fields = fieldsOf(event);
    const outcome = (code: string | null, extra: Readonly<Record<string, unknown>> = {}): void => {
      logOutcome(logger, { ...fields, ...extra, code, durationMs: elapsed(started) });
    };
    return loggingFaults(logger, fields, started, () => body({ event, outcome }));
  };
}

/** Logs a refusal and answers it with its code's status (`httpStatusOf`) and `{"error":{code,message}}`. */
export function refuse(invocation: Invocation<unknown>, code: string, message: string): HttpResult {
  invocation.outcome(code);
  return httpError(httpStatusOf(code), code, message);
}

/**
 * An HTTP API handler for a signed-in user: a request without a valid
 * `Authorization: Bearer <token>` is answered 401 with the verifier's code before `body` runs.
 */
export function userHandler(
  logger: Logger,
  verifier: TokenVerifier,
  fieldsOf: (event: APIGatewayProxyEventV2) => RequestFields,
  body: (invocation: Invocation<APIGatewayProxyEventV2>, userId: UserId) => Promise<HttpResult>,
): (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResult> {
  return handler(logger, fieldsOf, async (invocation) => {
    const verified = await verifier.verify(bearerToken(invocation.event) ?? '');
    if (!verified.ok) {
      return refuse(
        invocation,
        verified.error.code,
        'an Authorization: Bearer <token> header with a valid token is required',
      );
    }
    return body(invocation, verified.value.userId);
  });
}

/** The log fields of a WebSocket route event: its request, connection and route key. */
export function webSocketFields({ requestContext }: WebSocketEvent): RequestFields {
  return {
    requestId: requestContext.requestId,
    connectionId: requestContext.connectionId,
    route: requestContext.routeKey,
  };
}
