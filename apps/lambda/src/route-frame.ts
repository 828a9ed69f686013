import type { Logger } from '@aws-lambda-powertools/logger';
import type { Route, RouteOutcome } from '@pushline/core';
import type { Context } from 'aws-lambda';
import { authorizerUserId, type WebSocketEvent, type WebSocketResult } from './events.js';
import { elapsed, logOutcome } from './outcomes.js';

/**
 * A MESSAGE event through `Route`; the reply goes back as the two-way route's response.
 * `onOutcome` sees each outcome before it is returned (the resume handler counts its metrics).
 */
export async function routeFrame(
  route: Route,
  logger: Logger,
  event: WebSocketEvent,
  context: Context,
  onOutcome?: (outcome: RouteOutcome) => void,
): Promise<WebSocketResult> {
  const started = performance.now();
  const { connectionId, requestId, routeKey } = event.requestContext;
  const userId = authorizerUserId(event);
  const body = event.body ?? '';
  const outcome = await route.execute(
    userId === undefined ? { connectionId, body } : { connectionId, body, userId },
  );
  logOutcome(
    logger,
    {
      requestId,
      connectionId,
      route: routeKey,
      action: outcome.action,
      code: outcome.code,
      durationMs: elapsed(started),
    },
    outcome.fault,
    context,
    'debug',
  );
  onOutcome?.(outcome);
  return { statusCode: 200, body: outcome.payload };
}
