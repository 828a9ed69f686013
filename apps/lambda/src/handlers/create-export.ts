import type { Logger } from '@aws-lambda-powertools/logger';
import type { StartExport, TokenVerifier } from '@pushline/core';
import { compose } from '../composition/entries/create-export.js';
import { TOKENS } from '../composition/tokens.js';
import { refuse, userHandler } from '../handler-kit.js';
import { json } from '../http.js';

const container = compose();
const verifier = container.get<TokenVerifier>(TOKENS.TokenVerifier);
const startExport = container.get<StartExport>(TOKENS.StartExport);
const logger = container.get<Logger>(TOKENS.Logger);

export const handler = userHandler(
  logger,
  verifier,
  (event) => ({ requestId: event.requestContext.requestId, route: 'POST /exports' }),
  async (invocation, userId) => {
    const started = await startExport.execute({
      userId,
      exportId: invocation.event.requestContext.requestId,
    });
    if (!started.ok) return refuse(invocation, started.error.code, started.error.message);
    invocation.outcome(null, { exportId: started.value.exportId });
    return json(202, { exportId: started.value.exportId });
  },
);
