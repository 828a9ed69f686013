import type { Logger } from '@aws-lambda-powertools/logger';
import type { Disconnect } from '@pushline/core';
import { loadConfig } from '../composition/config.js';
import { createContainer } from '../composition/container.js';
import { TOKENS } from '../composition/tokens.js';
import type { WebSocketHandler } from '../events.js';
import { elapsed, logOutcome, loggingFaults } from '../outcomes.js';

const container = createContainer(loadConfig('disconnect'));
const disconnect = container.get<Disconnect>(TOKENS.Disconnect);
const logger = container.get<Logger>(TOKENS.Logger);

export const handler: WebSocketHandler = (event, context) => {
  logger.addContext(context);
  const started = performance.now();
  const { connectionId, requestId, routeKey } = event.requestContext;
  const fields = { requestId, connectionId, route: routeKey };
  return loggingFaults(logger, fields, started, async () => {
    await disconnect.execute({ connectionId });
    logOutcome(logger, { ...fields, code: null, durationMs: elapsed(started) });
    return { statusCode: 200 };
  });
};
