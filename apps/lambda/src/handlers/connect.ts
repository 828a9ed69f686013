import type { Logger } from '@aws-lambda-powertools/logger';
import type { Connect, ConnectInput } from '@pushline/core';
import type { AppConfig } from '../composition/config.js';
import { compose } from '../composition/entries/connect.js';
import { TOKENS } from '../composition/tokens.js';
import {
  authorizerExpiresAt,
  authorizerUserId,
  type WebSocketEvent,
  type WebSocketHandler,
} from '../events.js';
import { handler as kit, webSocketFields } from '../handler-kit.js';

const container = compose();
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

export const handler: WebSocketHandler = kit(logger, webSocketFields, async ({ event, outcome }) => {
  const connected = await connect.execute(toInput(event));
  if (!connected.ok) {
    outcome(connected.error.code);
    return { statusCode: 401 };
  }
  outcome(null, { anonymous: connected.value.connection.userId === null });
  return { statusCode: 200 };
});
