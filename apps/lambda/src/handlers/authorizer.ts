import type { Logger } from '@aws-lambda-powertools/logger';
import type { TokenVerifier } from '@pushline/core';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { loadConfig } from '../composition/config.js';
import { createContainer } from '../composition/container.js';
import { TOKENS } from '../composition/tokens.js';
import { elapsed, logOutcome, loggingFaults } from '../outcomes.js';

const container = createContainer(loadConfig('authorizer'));
const verifier = container.get<TokenVerifier>(TOKENS.TokenVerifier);
const logger = container.get<Logger>(TOKENS.Logger);

export function handler(
  event: APIGatewayRequestAuthorizerEvent,
  context: Context,
): Promise<APIGatewayAuthorizerResult> {
  logger.addContext(context);
  const started = performance.now();
  const fields = {
    requestId: event.requestContext.requestId,
    connectionId: event.requestContext.connectionId ?? undefined,
    route: '$connect',
  };
  return loggingFaults(logger, fields, started, async () => {
    const token = event.queryStringParameters?.token ?? '';
    const verified = await verifier.verify(token);
    if (!verified.ok) {
      logOutcome(logger, { ...fields, code: verified.error.code, durationMs: elapsed(started) });
      throw new Error('Unauthorized');
    }
    logOutcome(logger, { ...fields, code: null, durationMs: elapsed(started) });
    return {
      principalId: verified.value.userId,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }],
      },
      // API Gateway hands this context to every event of the connection; `$connect` stores the
      // expiry, and the token expiry check closes the socket when it passes.
      context: { userId: verified.value.userId, expiresAt: verified.value.expiresAt },
    };
  });
}
