import type { Logger } from '@aws-lambda-powertools/logger';
import type { TokenVerifier } from '@pushline/core';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { compose } from '../composition/entries/authorizer.js';
import { TOKENS } from '../composition/tokens.js';
import { handler as kit } from '../handler-kit.js';

const container = compose();
const verifier = container.get<TokenVerifier>(TOKENS.TokenVerifier);
const logger = container.get<Logger>(TOKENS.Logger);

export const handler: (
  event: APIGatewayRequestAuthorizerEvent,
  context: Context,
) => Promise<APIGatewayAuthorizerResult> = kit(
  logger,
  (event: APIGatewayRequestAuthorizerEvent) => ({
    requestId: event.requestContext.requestId,
    connectionId: event.requestContext.connectionId ?? undefined,
    route: '$connect',
  }),
  async ({ event, outcome }) => {
    const verified = await verifier.verify(event.queryStringParameters?.token ?? '');
    if (!verified.ok) {
      outcome(verified.error.code);
      throw new Error('Unauthorized');
    }
    outcome(null);
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
  },
);
