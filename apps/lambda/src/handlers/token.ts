import type { Logger } from '@aws-lambda-powertools/logger';
import type { JoseTokenIssuer } from '@pushline/adapters/jose';
import { isPlainObject, isUserId, parseJson } from '@pushline/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { type AppConfig, loadConfig } from '../composition/config.js';
import { createContainer } from '../composition/container.js';
import { TOKENS } from '../composition/tokens.js';
import { bodyText, httpError, type HttpResult, json } from '../http.js';
import { elapsed, logOutcome, loggingFaults } from '../outcomes.js';

const container = createContainer(loadConfig('token'));
const config = container.get<AppConfig>(TOKENS.Config);
const issuer = container.get<JoseTokenIssuer>(TOKENS.TokenIssuer);
const logger = container.get<Logger>(TOKENS.Logger);

export function handler(event: APIGatewayProxyEventV2, context: Context): Promise<HttpResult> {
  logger.addContext(context);
  const started = performance.now();
  const fields = { requestId: event.requestContext.requestId, route: 'POST /token' };
  return loggingFaults(logger, fields, started, async () => {
    if (config.mode !== 'dev') {
      logOutcome(logger, { ...fields, code: 'NOT_FOUND', durationMs: elapsed(started) });
      return httpError(404, 'NOT_FOUND', 'POST /token is served on dev stages only');
    }
    const parsed = parseJson(bodyText(event));
    const userId = parsed.ok && isPlainObject(parsed.value) ? parsed.value.userId : undefined;
    if (!isUserId(userId)) {
      logOutcome(logger, { ...fields, code: 'BAD_REQUEST', durationMs: elapsed(started) });
      return httpError(400, 'BAD_REQUEST', 'the body must be {"userId":"…"} with a non-empty \'userId\'');
    }
    const issued = await issuer.issue(userId);
    logOutcome(logger, { ...fields, code: null, userId, durationMs: elapsed(started) });
    return json(200, issued);
  });
}
