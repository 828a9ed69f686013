import type { Logger } from '@aws-lambda-powertools/logger';
import type { Connect, ConnectInput } from '@pushline/core';
import { type AppConfig, loadConfig } from '../composition/config.js';
import { createContainer } from '../composition/container.js';
import { TOKENS } from '../composition/tokens.js';
import {
  authorizerExpiresAt,
  authorizerUserId,
  type WebSocketEvent,
  type WebSocketHandler,
} from '../events.js';
import { elapsed, logOutcome, loggingFaults } from '../outcomes.js';

const container = createContainer(loadConfig('connect'));
const connect = container.get<Connect>(TOKENS.Connect);
const config = container.get<AppConfig>(TOKENS.Config);
const logger = container.get<Logger>(TOKENS.Logger);

function toInput(event: WebSocketEvent): ConnectInput {
  const { connectionId } = event.requestContext;
  const userId = authorizerUserId(event);
  if (userId !== undefined) {
    // Without the expiry, Connect refuses: a socket whose token never expires is not admitted.
    const expiresAt = authorizerExpiresAt(event);
    return expiresAt === undefined ? { connectionId, userId } : { connectionId, userId, expiresAt };
  }
  const token = event.queryStringParameters?.token;
  if (config.authMode === 'either' && token !== undefined && token !== '') return { connectionId, token };
  return { connectionId };
}

export const handler: WebSocketHandler = (event, context) => {
  logger.addContext(context);
  const started = performance.now();
  const { connectionId, requestId, routeKey } = event.requestContext;
  const fields = { requestId, connectionId, route: routeKey };
  return loggingFaults(logger, fields, started, async () => {
    const outcome = await connect.execute(toInput(event));
    if (!outcome.ok) {
      logOutcome(logger, { ...fields, code: outcome.error.code, durationMs: elapsed(started) });
      return { statusCode: 401 };
    }
    const anonymous = outcome.value.connection.userId === null;
    logOutcome(logger, { ...fields, code: null, anonymous, durationMs: elapsed(started) });
    return { statusCode: 200 };
  });
};
