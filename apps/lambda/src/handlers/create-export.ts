import type { Logger } from '@aws-lambda-powertools/logger';
import type { StartExport, TokenVerifier } from '@pushline/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { loadConfig } from '../composition/config.js';
import { createContainer } from '../composition/container.js';
import { TOKENS } from '../composition/tokens.js';
import { bearerToken, httpError, type HttpResult, json } from '../http.js';
import { elapsed, logOutcome, loggingFaults } from '../outcomes.js';

const container = createContainer(loadConfig('create-export'));
const verifier = container.get<TokenVerifier>(TOKENS.TokenVerifier);
const startExport = container.get<StartExport>(TOKENS.StartExport);
const logger = container.get<Logger>(TOKENS.Logger);

export function handler(event: APIGatewayProxyEventV2, context: Context): Promise<HttpResult> {
  logger.addContext(context);
  const started = performance.now();
  const requestId = event.requestContext.requestId;
  const fields = { requestId, route: 'POST /exports' };
  return loggingFaults(logger, fields, started, async () => {
    const verified = await verifier.verify(bearerToken(event) ?? '');
    if (!verified.ok) {
      logOutcome(logger, { ...fields, code: verified.error.code, durationMs: elapsed(started) });
      return httpError(
        401,
        verified.error.code,
        'an Authorization: Bearer <token> header with a valid token is required',
      );
    }
    const outcome = await startExport.execute({ userId: verified.value.userId, exportId: requestId });
    if (!outcome.ok) {
      logOutcome(logger, { ...fields, code: outcome.error.code, durationMs: elapsed(started) });
      return httpError(400, outcome.error.code, outcome.error.message);
    }
    logOutcome(logger, {
      ...fields,
      code: null,
      exportId: outcome.value.exportId,
      durationMs: elapsed(started),
    });
    return json(202, { exportId: outcome.value.exportId });
  });
}
