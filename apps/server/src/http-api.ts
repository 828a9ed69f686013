import type { Logger } from '@aws-lambda-powertools/logger';
import type { JoseTokenIssuer } from '@pushline/adapters/jose';
import { isUserId, type NotifyUserOutcome, parseNotifyUserMessage } from '@pushline/core';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeError } from './describe-error.js';
import { bearerToken, HttpError, readBody, sendError, sendJson } from './http.js';
import { PROMETHEUS_CONTENT_TYPE, type ServerMetrics } from './metrics.js';
import type { NotifyUserRun } from './queue-consumers.js';

/** What the HTTP API needs. */
export interface HttpApiServices {
  readonly logger: Logger;
  readonly metrics: ServerMetrics;
  /** The key `POST /notify` and `GET /metrics` require. */
  readonly apiKey: string;
  /** Issues `POST /token`'s tokens, in dev mode only (`null`: the route answers 404). */
  readonly issuer: JoseTokenIssuer | null;
  /** How many sockets are open, for `GET /health`. */
  readonly connectionCount: () => number;
  readonly runNotifyUser: NotifyUserRun;
}

/**
 * The standalone server's REST routes (docs/protocol.md, HTTP API of the standalone server):
 * `GET /health`, `POST /token` (dev mode), `POST /notify` and `GET /metrics` (API key).
 * Errors are `{"error":{"code","message"}}` with core's status for the code.
 */
export function createHttpApi(
  services: HttpApiServices,
): (request: IncomingMessage, response: ServerResponse) => void {
  const { logger, metrics, apiKey, issuer } = services;

  function requireApiKey(request: IncomingMessage): void {
    if (!sameSecret(bearerToken(request), apiKey)) {
      throw new HttpError('UNAUTHORIZED', 'an Authorization: Bearer <API key> header is required');
    }
  }

  async function postToken(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (issuer === null) throw new HttpError('NOT_FOUND', 'POST /token is served in dev mode only');
    const body = parseJsonBody(await readBody(request));
    if (!isUserId(body.userId))
      throw new HttpError('BAD_REQUEST', "'userId' must be a non-empty string of at most 256 characters");
    const issued = await issuer.issue(body.userId);
    logger.info('token', { userId: body.userId });
    sendJson(response, 200, issued);
  }

  async function postNotify(request: IncomingMessage, response: ServerResponse): Promise<void> {
    requireApiKey(request);
    const parsed = parseNotifyUserMessage(await readBody(request));
    if (!parsed.ok) throw new HttpError(parsed.error.code, parsed.error.message);
    const outcome: NotifyUserOutcome = await services.runNotifyUser(parsed.value, randomUUID());
    if (!outcome.ok) throw new HttpError(outcome.error.code, outcome.error.message);
    sendJson(response, 202, {
      notificationId: outcome.value.notificationId,
      connections: outcome.value.enqueued,
      seq: outcome.value.seq,
      epoch: outcome.value.epoch,
    });
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const route = `${request.method ?? 'GET'} ${url.pathname}`;
    try {
      switch (route) {
        case 'GET /health': {
          sendJson(response, 200, { status: 'ok', connections: services.connectionCount() });
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
          requireApiKey(request);
          response.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' });
          response.end(metrics.render());
          return;
        }
        default: {
          sendError(response, 'NOT_FOUND', `no route ${route}`);
          return;
        }
      }
    } catch (error) {
      if (error instanceof HttpError) {
        sendError(response, error.code, error.message);
        return;
      }
      logger.error('http', { route, error: describeError(error) });
      sendError(response, 'INTERNAL', 'the server failed to handle this request');
    }
  }

  return (request, response) => void handle(request, response);
}

function parseJsonBody(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // Falls through to the 400 below.
  }
  throw new HttpError('BAD_REQUEST', 'the body must be a JSON object');
}

/** Compares secrets in constant time, so the API key cannot be guessed byte by byte. */
function sameSecret(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
