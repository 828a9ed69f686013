import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type Deadline, type Clock, type DeadlineScheduler, serializeDeadlineMessage } from '@pushline/core';
import { SQS_MAX_DELAY_SECONDS } from './sqs-message-queue.js';

/** Options of {@link SqsDeadlineScheduler}. */
export interface SqsDeadlineSchedulerOptions {
  /** The SQS client, built and configured by the caller (region, endpoint, credentials). */
  readonly client: SQSClient;
  /** URL of the deadlines queue (a standard queue; its consumer runs `EnforceAuthorizeDeadline`). */
  readonly queueUrl: string;
  /** Tells how far away a deadline is. */
  readonly clock: Clock;
}

/**
 * Schedules authorize deadlines as delayed SQS messages (`DelaySeconds`, rounded up so a
 * deadline is never enforced early). The body is `{"connectionId","at"}` (`parseDeadlineMessage`
 * reads it). A deadline more than 900 s away (SQS's longest delay) is refused with a
 * `RangeError` before anything is sent. SDK errors are thrown unchanged.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-delay-queues.html
 */
export class SqsDeadlineScheduler implements DeadlineScheduler {
  constructor(private readonly options: SqsDeadlineSchedulerOptions) {}

  async schedule(deadline: Deadline): Promise<void> {
    const waitMs = Math.max(0, deadline.at - this.options.clock.now());
    if (waitMs > SQS_MAX_DELAY_SECONDS * 1000) {
      throw new RangeError(`a deadline ${waitMs} ms away exceeds SQS's ${SQS_MAX_DELAY_SECONDS} s delay`);
    }
    await this.options.client.send(
      new SendMessageCommand({
        QueueUrl: this.options.queueUrl,
        MessageBody: serializeDeadlineMessage(deadline),
        DelaySeconds: Math.ceil(waitMs / 1000),
      }),
    );
  }
}
