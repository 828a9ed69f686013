import type { Logger } from '@aws-lambda-powertools/logger';
import type { DownloadExport, TokenVerifier } from '@pushline/core';
import { compose } from '../composition/entries/get-export.js';
import { TOKENS } from '../composition/tokens.js';
import { refuse, userHandler } from '../handler-kit.js';

const container = compose();
const verifier = container.get<TokenVerifier>(TOKENS.TokenVerifier);
const downloadExport = container.get<DownloadExport>(TOKENS.DownloadExport);
const logger = container.get<Logger>(TOKENS.Logger);

export const handler = userHandler(
  logger,
  verifier,
  (event) => ({
    requestId: event.requestContext.requestId,
    route: 'GET /exports/{id}',
    exportId: event.pathParameters?.id ?? '',
  }),
  async (invocation, userId) => {
    const exportId = invocation.event.pathParameters?.id ?? '';
    const download = await downloadExport.execute({ userId, exportId });
    if (!download.ok) return refuse(invocation, download.error.code, download.error.message);
    invocation.outcome(null);
    return {
      statusCode: 200,
      headers: {
        'content-type': download.value.contentType,
        'content-disposition': `attachment; filename="export-${download.value.exportId}.json"`,
      },
      body: download.value.content,
    };
  },
);
