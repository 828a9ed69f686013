import type { Logger } from '@aws-lambda-powertools/logger';
import type { JoseTokenIssuer } from '@pushline/adapters/jose';
import { isPlainObject, isUserId, parseJson } from '@pushline/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { AppConfig } from '../composition/config.js';
import { compose } from '../composition/entries/token.js';
import { TOKENS } from '../composition/tokens.js';
import { handler as kit, refuse } from '../handler-kit.js';
import { bodyText, type HttpResult, json } from '../http.js';

const container = compose();
const config = container.get<AppConfig>(TOKENS.Config);
const issuer = container.get<JoseTokenIssuer>(TOKENS.TokenIssuer);
const logger = container.get<Logger>(TOKENS.Logger);

export const handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpResult> = kit(
  logger,
  (event: APIGatewayProxyEventV2) => ({ requestId: event.requestContext.requestId, route: 'POST /token' }),
  async (invocation) => {
    if (config.mode !== 'dev')
      return refuse(invocation, 'NOT_FOUND', 'POST /token is served on dev stages only');
    const parsed = parseJson(bodyText(invocation.event));
    const userId = parsed.ok && isPlainObject(parsed.value) ? parsed.value.userId : undefined;
    if (!isUserId(userId)) {
      return refuse(invocation, 'BAD_REQUEST', 'the body must be {"userId":"…"} with a non-empty \'userId\'');
    }
    const issued = await issuer.issue(userId);
    invocation.outcome(null, { userId });
    return json(200, issued);
  },
);
