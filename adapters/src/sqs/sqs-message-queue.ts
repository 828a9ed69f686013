import {
  type BatchResultErrorEntry,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import {
  MAX_QUEUE_BATCH,
  type MessageQueue,
  type NotifyConnectionMessage,
  type NotifyUserMessage,
  QueueSendError,
  type SendOptions,
} from '@pushline/core';

/**
 * Largest message SQS accepts, in bytes (body plus attributes; we send no attributes):
 * 1 MiB since 2025, up from 256 KiB. A queue's `MaximumMessageSize` attribute can
 * set a lower limit; pass it as `maxMessageBytes` then.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html
 */
export const SQS_MAX_MESSAGE_BYTES = 1_048_576;

/**
 * Largest total of the message sizes in one `SendMessageBatch` call, in bytes (1 MiB).
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
 */
export const SQS_MAX_BATCH_BYTES = 1_048_576;

/** Longest `DelaySeconds` SQS accepts (15 minutes). */
export const SQS_MAX_DELAY_SECONDS = 900;

/** Retries of the entries a batch reports as failed. */
export interface SqsRetryOptions {
  /** Sends of a failed entry in all, the first one included; default 3. `1` means no retry. */
  readonly attempts?: number;
  /** Wait before the first retry, in ms; doubled before each next one. Default 50. */
  readonly baseDelayMs?: number;
}

/** Options of {@link SqsMessageQueue}. */
export interface SqsMessageQueueOptions {
  /**
   * The SQS client, built and configured by the caller (region, endpoint, credentials), so
   * tests and the local stack can point it at local-aws-sqs. Whole-call failures (throttling,
   * 5xx, network) are retried by the SDK's own retry strategy, not here.
   */
  readonly client: SQSClient;
  /** URL of the `NotifyUser` queue (a standard queue, with a dead-letter queue). */
  readonly notifyUserQueueUrl: string;
  /** URL of the `NotifyConnection` queue (a standard queue, with a dead-letter queue). */
  readonly notifyConnectionQueueUrl: string;
  /** Retries of entries that `SendMessageBatch` reports as failed (not sender faults). */
  readonly retry?: SqsRetryOptions;
  /**
   * Largest message body to send, in UTF-8 bytes; default {@link SQS_MAX_MESSAGE_BYTES}. Set it
   * to the queues' `MaximumMessageSize` when that is lower.
   */
  readonly maxMessageBytes?: number;
}

type QueueName = 'NotifyUser' | 'NotifyConnection';

interface Entry {
  /** Position of the message in the caller's batch, also its batch entry `Id`. */
  readonly index: number;
  readonly body: string;
  readonly bytes: number;
}

/**
 * The two notification queues on Amazon SQS. Keeps every guarantee of `MessageQueue`:
 *
 * - One call takes 0 to 10 messages (`SendMessageBatch`'s limit) and throws a `RangeError`
 *   for more, for a message over the size limit, or for a `delaySeconds` outside 0 to 900,
 *   before anything is sent. 0 messages make no request.
 * - Usually one `SendMessageBatch` per call. Only when the bodies together exceed the 1 MiB
 *   batch limit are they sent in more than one request, each within the limit.
 * - SQS answers a batch entry by entry: entries reported `Failed` are sent again, alone,
 *   with exponential backoff, except sender faults (`SenderFault: true`: the entry itself is
 *   invalid and would fail again). Entries that still fail make the call throw a
 *   `QueueSendError` (`QUEUE_SEND_FAILED`) whose `failedIndexes` name their positions in the
 *   caller's batch: nothing is dropped silently. The other entries were enqueued. An entry
 *   the response lists as neither `Successful` nor `Failed` counts as failed, not as sent.
 * - Not idempotent: a retried call may enqueue a message twice (SQS standard queues are
 *   at-least-once anyway); consumers deduplicate by the notification `id`.
 * - Bodies are the messages as JSON; the two characters JSON leaves raw but SQS refuses
 *   (U+FFFE, U+FFFF) are written as `\u` escapes, so any JSON `data` arrives unchanged.
 * - Other SDK errors are rethrown unchanged.
 *
 * @example
 * ```ts
 * const queue = new SqsMessageQueue({ client: new SQSClient({}), notifyUserQueueUrl, notifyConnectionQueueUrl });
 * await queue.sendNotifyConnection([{ connectionId: 'abc', data: { ready: true } }]);
 * ```
 */
export class SqsMessageQueue implements MessageQueue {
  private readonly client: SQSClient;
  private readonly urls: Readonly<Record<QueueName, string>>;
  private readonly attempts: number;
  private readonly baseDelayMs: number;
  private readonly maxMessageBytes: number;

  constructor(options: SqsMessageQueueOptions) {
    this.client = options.client;
    this.urls = {
      NotifyUser: options.notifyUserQueueUrl,
      NotifyConnection: options.notifyConnectionQueueUrl,
    };
    this.attempts = Math.max(1, Math.floor(options.retry?.attempts ?? 3));
    this.baseDelayMs = Math.max(0, options.retry?.baseDelayMs ?? 50);
    this.maxMessageBytes = Math.min(options.maxMessageBytes ?? SQS_MAX_MESSAGE_BYTES, SQS_MAX_MESSAGE_BYTES);
  }

  sendNotifyUser(messages: readonly NotifyUserMessage[], options?: SendOptions): Promise<void> {
    return this.send('NotifyUser', messages, options);
  }

  sendNotifyConnection(messages: readonly NotifyConnectionMessage[], options?: SendOptions): Promise<void> {
    return this.send('NotifyConnection', messages, options);
  }

  private async send(
    queue: QueueName,
    messages: readonly object[],
    options: SendOptions = {},
  ): Promise<void> {
    if (messages.length > MAX_QUEUE_BATCH) {
      throw new RangeError(`a batch holds at most ${MAX_QUEUE_BATCH} messages, got ${messages.length}`);
    }
    const delaySeconds = options.delaySeconds;
    if (
      delaySeconds !== undefined &&
      (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > SQS_MAX_DELAY_SECONDS)
    ) {
      throw new RangeError(`delaySeconds must be an integer from 0 to ${SQS_MAX_DELAY_SECONDS}`);
    }
    const entries = messages.map((message, index) => {
      const body = encodeBody(message);
      return { index, body, bytes: Buffer.byteLength(body, 'utf8') };
    });
    const tooLarge = entries.filter((entry) => entry.bytes > this.maxMessageBytes);
    if (tooLarge.length > 0) {
      const which = tooLarge.map((entry) => `#${entry.index} (${entry.bytes} bytes)`).join(', ');
      throw new RangeError(`${queue}: message(s) ${which} exceed the limit of ${this.maxMessageBytes} bytes`);
    }
    const failed: { entry: Entry; error: BatchResultErrorEntry }[] = [];
    for (const group of byBatchSize(entries)) {
      failed.push(...(await this.sendWithRetries(queue, group, delaySeconds)));
    }
    if (failed.length > 0) {
      const indexes = failed.map(({ entry }) => entry.index).sort((a, b) => a - b);
      const reasons = failed
        .map(({ entry, error }) => `#${entry.index}: ${error.Code ?? 'unknown'}`)
        .join(', ');
      throw new QueueSendError(
        `${failed.length} of ${messages.length} message(s) could not be enqueued on ${queue} (${reasons})`,
        indexes,
        { cause: failed.map(({ error }) => error) },
      );
    }
  }

  /** Sends one request's entries; returns those that failed for good, with SQS's reason. */
  private async sendWithRetries(
    queue: QueueName,
    entries: readonly Entry[],
    delaySeconds: number | undefined,
  ): Promise<{ entry: Entry; error: BatchResultErrorEntry }[]> {
    const given: { entry: Entry; error: BatchResultErrorEntry }[] = [];
    let pending = entries;
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 1) await sleep(this.baseDelayMs * 2 ** (attempt - 2));
      const response = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.urls[queue],
          Entries: pending.map((entry) => toRequestEntry(entry, delaySeconds)),
        }),
      );
      const failures = new Map((response.Failed ?? []).map((error) => [error.Id ?? '', error]));
      const succeeded = new Set((response.Successful ?? []).map((result) => result.Id ?? ''));
      const retry: Entry[] = [];
      for (const entry of pending) {
        const id = String(entry.index);
        if (succeeded.has(id) && !failures.has(id)) continue;
        // An entry in neither list was not acknowledged: treat it as failed, never as sent.
        const error = failures.get(id) ?? {
          Id: id,
          Code: 'NotAcknowledged',
          SenderFault: false,
          Message: '',
        };
        if (error.SenderFault === true || attempt >= this.attempts) given.push({ entry, error });
        else retry.push(entry);
      }
      pending = retry;
    }
    return given;
  }
}

function toRequestEntry(entry: Entry, delaySeconds: number | undefined): SendMessageBatchRequestEntry {
  // Ids only need to be unique within one request; the caller's index also names the entry
  // in a QueueSendError.
  const request: SendMessageBatchRequestEntry = { Id: String(entry.index), MessageBody: entry.body };
  if (delaySeconds !== undefined) request.DelaySeconds = delaySeconds;
  return request;
}

/** Splits entries into requests whose bodies together stay within {@link SQS_MAX_BATCH_BYTES}. */
function byBatchSize(entries: readonly Entry[]): Entry[][] {
  const groups: Entry[][] = [];
  let group: Entry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    if (group.length > 0 && bytes + entry.bytes > SQS_MAX_BATCH_BYTES) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(entry);
    bytes += entry.bytes;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/**
 * The message as JSON. SQS accepts only the characters XML allows
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html);
 * `JSON.stringify` already escapes control characters and lone surrogates, which leaves the
 * two noncharacters U+FFFE and U+FFFF, escaped here. The JSON means the same.
 */
export function encodeBody(message: object): string {
  return JSON.stringify(message).replace(
    /[\uFFFE\uFFFF]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16)}`,
  );
}

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
