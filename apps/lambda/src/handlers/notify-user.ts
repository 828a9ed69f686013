import type { Logger } from '@aws-lambda-powertools/logger';
import { type NotifyUser, parseNotifyUserMessage } from '@pushline/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { compose } from '../composition/entries/notify-user.js';
import { TOKENS } from '../composition/tokens.js';
import { processBatch } from '../outcomes.js';

const container = compose();
const notifyUser = container.get<NotifyUser>(TOKENS.NotifyUser);
const logger = container.get<Logger>(TOKENS.Logger);

export function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  return processBatch(event, context, 'NotifyUser', logger, async (record) => {
    const message = parseNotifyUserMessage(record.body);
    if (!message.ok)
      return { done: false, code: message.error.code, fields: { reason: message.error.message } };
    const outcome = await notifyUser.execute({ message: message.value, messageId: record.messageId });
    if (!outcome.ok)
      return { done: false, code: outcome.error.code, fields: { userId: message.value.userId } };
    const { notificationId, enqueued, pushed, gone, pages, expired, malformed } = outcome.value;
    return {
      done: true,
      code: null,
      fields: {
        userId: message.value.userId,
        notificationId,
        enqueued,
        pushed,
        gone,
        pages,
        expired,
        malformed: malformed.length,
      },
    };
  });
}
