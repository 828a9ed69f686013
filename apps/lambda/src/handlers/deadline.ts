import type { Logger } from '@aws-lambda-powertools/logger';
import { type EnforceAuthorizeDeadline, type EnforceTokenExpiry, parseDeadlineMessage } from '@pushline/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { compose } from '../composition/entries/deadline.js';
import { TOKENS } from '../composition/tokens.js';
import { processBatch } from '../outcomes.js';

const container = compose();
const enforceAuthorize = container.get<EnforceAuthorizeDeadline>(TOKENS.EnforceAuthorizeDeadline);
const enforceExpiry = container.get<EnforceTokenExpiry>(TOKENS.EnforceTokenExpiry);
const logger = container.get<Logger>(TOKENS.Logger);

/** The deadlines queue: authorize deadlines of anonymous sockets, and token expiry checks. */
export function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  return processBatch(event, context, 'Deadlines', logger, async (record) => {
    const deadline = parseDeadlineMessage(record.body);
    if (!deadline.ok)
      return { done: false, code: deadline.error.code, fields: { reason: deadline.error.message } };
    const { connectionId } = deadline.value;
    if (deadline.value.kind === 'token-expiry') {
      const outcome = await enforceExpiry.execute({ connectionId, expiresAt: deadline.value.expiresAt });
      return {
        done: true,
        code: null,
        fields: { connectionId, kind: 'token-expiry', result: outcome.value.result },
      };
    }
    const outcome = await enforceAuthorize.execute({ connectionId });
    return {
      done: true,
      code: null,
      fields: { connectionId, kind: 'authorize', result: outcome.value.result },
    };
  });
}
