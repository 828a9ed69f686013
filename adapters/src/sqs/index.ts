export { SqsDeadlineScheduler, type SqsDeadlineSchedulerOptions } from './sqs-deadline-scheduler.js';
export {
  encodeBody,
  SQS_MAX_BATCH_BYTES,
  SQS_MAX_DELAY_SECONDS,
  SQS_MAX_MESSAGE_BYTES,
  SqsMessageQueue,
  type SqsMessageQueueOptions,
  type SqsRetryOptions,
} from './sqs-message-queue.js';
