import type { Logger } from '@aws-lambda-powertools/logger';
import type { InMemoryMessageQueue } from '@pushline/adapters/memory';
import type { NotifyConnection, NotifyUser, NotifyUserMessage, NotifyUserOutcome } from '@pushline/core';
import type { ServerMetrics } from './metrics.js';

/** Runs one NotifyUser message (from the queue or `POST /notify`), counting and logging it. */
export type NotifyUserRun = (message: NotifyUserMessage, messageId: string) => Promise<NotifyUserOutcome>;

/** What the consumers need. */
export interface QueueServices {
  readonly logger: Logger;
  readonly debugEnabled: boolean;
  readonly metrics: ServerMetrics;
  readonly queue: InMemoryMessageQueue;
  readonly notifyConnection: NotifyConnection;
  readonly runNotifyUser: NotifyUserRun;
}

/** {@link NotifyUserRun} over `notifyUser`: one metric settle and one log line per message. */
export function notifyUserRun(notifyUser: NotifyUser, metrics: ServerMetrics, logger: Logger): NotifyUserRun {
  return async (message, messageId) => {
    const started = performance.now();
    const outcome = await notifyUser.execute({ message, messageId });
    metrics.settleNotifyUser(outcome);
    const durationMs = Math.round(performance.now() - started);
    const { userId } = message;
    if (outcome.ok) {
      const { notificationId, seq, duplicate, enqueued, malformed } = outcome.value;
      logger.info('notify-user', {
        userId,
        notificationId,
        seq,
        duplicate,
        enqueued,
        malformed: malformed.length,
        durationMs,
      });
    } else {
      logger.warn('notify-user', { userId, code: outcome.error.code, durationMs });
    }
    return outcome;
  };
}

/** Consumes both in-process queues; returns what stops them. */
export function startQueueConsumers(services: QueueServices): () => void {
  const { logger, metrics, queue, notifyConnection } = services;
  const stopNotifyConnection = queue.notifyConnection.consume(
    async ({ messageId, body, receiveCount, sentAt }) => {
      const outcome = await metrics.countingFaults(notifyConnection.execute({ message: body, messageId }));
      metrics.settleNotifyConnection(outcome, sentAt);
      if (outcome.ok) {
        const fields = { connectionId: body.connectionId, result: outcome.value.result, receiveCount };
        // One line per delivered frame would cost more than the delivery (bench/RESULTS.md):
        // deliveries are DEBUG, a gone socket stays INFO, and NotifyUser logs each fan-out once.
        if (outcome.value.result !== 'delivered') logger.info('notify-connection', fields);
        else if (services.debugEnabled) logger.debug('notify-connection', fields);
      } else {
        logger.warn('notify-connection', { connectionId: body.connectionId, code: outcome.error.code });
      }
    },
  );
  const stopNotifyUser = queue.notifyUser.consume(async ({ messageId, body }) => {
    await services.runNotifyUser(body, messageId);
  });
  return () => {
    stopNotifyConnection();
    stopNotifyUser();
  };
}
