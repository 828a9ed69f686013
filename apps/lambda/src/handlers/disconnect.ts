import type { Logger } from '@aws-lambda-powertools/logger';
import type { Disconnect } from '@pushline/core';
import { compose } from '../composition/entries/disconnect.js';
import { TOKENS } from '../composition/tokens.js';
import type { WebSocketHandler } from '../events.js';
import { handler as kit, webSocketFields } from '../handler-kit.js';

const container = compose();
const disconnect = container.get<Disconnect>(TOKENS.Disconnect);
const logger = container.get<Logger>(TOKENS.Logger);

export const handler: WebSocketHandler = kit(logger, webSocketFields, async ({ event, outcome }) => {
  await disconnect.execute({ connectionId: event.requestContext.connectionId });
  outcome(null);
  return { statusCode: 200 };
});
