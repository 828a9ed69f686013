import type { Logger } from '@aws-lambda-powertools/logger';
import type { DownloadExport, TokenVerifier } from '@pushline/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { loadConfig } from '../composition/config.js';
import { createContainer } from '../composition/container.js';
import { TOKENS } from '../composition/tokens.js';
import { bearerToken, httpError, type HttpResult } from '../http.js';
import { elapsed, logOutcome, loggingFaults } from '../outcomes.js';

const container = createContainer(loadConfig('get-export'));
const verifier = container.get<TokenVerifier>(TOKENS.TokenVerifier);
const downloadExport = container.get<DownloadExport>(TOKENS.DownloadExport);
const logger = container.get<Logger>(TOKENS.Logger);

export function handler(event: APIGatewayProxyEventV2, context: Context): Promise<HttpResult> {
  logger.addContext(context);
  const started = performance.now();
  const exportId = event.pathParameters?.id ?? '';
  const fields = { requestId: event.requestContext.requestId, route: 'GET /exports/{id}', exportId };
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
    const outcome = await downloadExport.execute({ userId: verified.value.userId, exportId });
    if (!outcome.ok) {
      logOutcome(logger, { ...fields, code: outcome.error.code, durationMs: elapsed(started) });
      return httpError(404, outcome.error.code, outcome.error.message);
    }
    logOutcome(logger, { ...fields, code: null, durationMs: elapsed(started) });
    return {
      statusCode: 200,
      headers: {
        'content-type': outcome.value.contentType,
        'content-disposition': `attachment; filename="export-${outcome.value.exportId}.json"`,
      },
      body: outcome.value.content,
    };
  });
}
