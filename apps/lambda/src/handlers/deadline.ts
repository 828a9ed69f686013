import type { Logger } from '@aws-lambda-powertools/logger';
import { type EnforceAuthorizeDeadline, parseDeadlineMessage } from '@pushline/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadConfig } from '../composition/config.js';
import { createContainer } from '../composition/container.js';
import { TOKENS } from '../composition/tokens.js';
import { processBatch } from '../outcomes.js';

const container = createContainer(loadConfig('deadline'));
const enforce = container.get<EnforceAuthorizeDeadline>(TOKENS.EnforceAuthorizeDeadline);
const logger = container.get<Logger>(TOKENS.Logger);

export function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  return processBatch(event, context, 'Deadlines', logger, async (record) => {
    const deadline = parseDeadlineMessage(record.body);
    if (!deadline.ok)
      return { done: false, code: deadline.error.code, fields: { reason: deadline.error.message } };
    const { connectionId } = deadline.value;
    const outcome = await enforce.execute({ connectionId });
    return { done: true, code: null, fields: { connectionId, result: outcome.value.result } };
  });
}
