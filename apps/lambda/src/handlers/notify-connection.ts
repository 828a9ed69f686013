import type { Logger } from '@aws-lambda-powertools/logger';
import { type NotifyConnection, parseNotifyConnectionMessage } from '@pushline/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { compose } from '../composition/entries/notify-connection.js';
import { TOKENS } from '../composition/tokens.js';
import { processBatch } from '../outcomes.js';

const container = compose();
const notifyConnection = container.get<NotifyConnection>(TOKENS.NotifyConnection);
const logger = container.get<Logger>(TOKENS.Logger);

export function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  return processBatch(event, context, 'NotifyConnection', logger, async (record) => {
    const message = parseNotifyConnectionMessage(record.body);
    if (!message.ok)
      return { done: false, code: message.error.code, fields: { reason: message.error.message } };
    const { connectionId } = message.value;
    const outcome = await notifyConnection.execute({ message: message.value, messageId: record.messageId });
    if (!outcome.ok) return { done: false, code: outcome.error.code, fields: { connectionId } };
    const { result, notificationId } = outcome.value;
    return { done: true, code: null, fields: { connectionId, notificationId, result } };
  });
}
