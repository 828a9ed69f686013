import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { setMaxListeners } from 'node:events';
import { errorMessageOf, type InvocableHandler, invoke } from '../invoke.js';

/** Options of {@link startSqsPoller}: what Lambda's SQS event source mapping does, locally. */
export interface SqsPollerOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  /** The function's name, for the Lambda context. */
  readonly functionName: string;
  readonly handler: InvocableHandler;
  /** Records per invocation (Lambda's batch size); 1 to 10, default 10. */
  readonly batchSize?: number;
  /** Receive loops running at once (Lambda scales pollers with the backlog); default 4. */
  readonly concurrency?: number;
  /** Long-poll wait per receive, in seconds (0 to 20); default 20. */
  readonly waitTimeSeconds?: number;
  /** The function's timeout; a batch still running then counts as failed. Default 30 s. */
  readonly timeoutMs?: number;
  /**
   * Seconds before a failed record is visible again. Lambda leaves failed records alone until
   * the queue's visibility timeout passes; locally that wait is shortened so a retry is seen
   * in seconds. Default: leave the queue's own timeout.
   */
  readonly retryVisibilitySeconds?: number;
  /** Told about every invocation, for logs and tests. */
  readonly onBatch?: (report: BatchReport) => void;
}

/** What one invocation did. */
export interface BatchReport {
  readonly functionName: string;
  readonly records: number;
  /** Message ids reported as failed (or every id, when the invocation failed). */
  readonly failed: readonly string[];
  readonly error: string | null;
}

/** A running poller. */
export interface SqsPoller {
  /** Stops receiving, lets in-flight invocations finish, and resolves then. */
  stop(): Promise<void>;
}

/**
 * Polls a queue and invokes a handler with SQS events the way Lambda's event source
 * mapping does: long polling, batches of up to 10 records, `ReportBatchItemFailures`
 * honoured (only the reported records stay on the queue; the rest are deleted), a thrown
 * or timed-out invocation fails the whole batch, and the queue's redrive policy moves a
 * record to its dead-letter queue after `maxReceiveCount` receives.
 */
export function startSqsPoller(options: SqsPollerOptions): SqsPoller {
  const abort = new AbortController();
  // Every receive in flight listens on the one signal (the SDK adds a listener per request).
  setMaxListeners(0, abort.signal);
  const loops = Array.from({ length: options.concurrency ?? 4 }, () => pollLoop(options, abort.signal));
  return {
    async stop() {
      abort.abort();
      await Promise.allSettled(loops);
    },
  };
}

async function pollLoop(options: SqsPollerOptions, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    let messages: Message[];
    try {
      messages = await receiveBatch(options, signal);
    } catch (error) {
      if (stopped(signal)) return;
      // A peer that is restarting or briefly unreachable: back off, as the event source mapping does.
      options.onBatch?.({
        functionName: options.functionName,
        records: 0,
        failed: [],
        error: errorMessageOf(error),
      });
      await sleep(500, signal);
      continue;
    }
    if (messages.length === 0) continue;
    try {
      await deliver(options, messages);
    } catch (error) {
      // Deleting or re-timing the batch failed: the records come back after their visibility
      // timeout, so nothing is lost; at-least-once delivery allows the repeat.
      options.onBatch?.({
        functionName: options.functionName,
        records: messages.length,
        failed: [],
        error: errorMessageOf(error),
      });
    }
  }
}

/**
 * One batch: a long poll for the first message, then as many more as are visible, up to the
 * batch size. local-aws-sqs answers a long poll only when it has `MaxNumberOfMessages`
 * messages or the wait ends (SQS answers as soon as it has one), so asking for one first
 * keeps a lone notification from waiting out the poll.
 */
async function receiveBatch(options: SqsPollerOptions, signal: AbortSignal): Promise<Message[]> {
  const receive = async (max: number, waitSeconds: number): Promise<Message[]> => {
    const received = await options.client.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        // local-aws-sqs reads only the older name; without it records lack ApproximateReceiveCount.
        // eslint-disable-next-line @typescript-eslint/no-deprecated -- deprecated on AWS, still served
        AttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: signal },
    );
    return received.Messages ?? [];
  };
  const first = await receive(1, options.waitTimeSeconds ?? 20);
  const batchSize = options.batchSize ?? 10;
  if (first.length === 0 || batchSize === 1) return first;
  const visible = await visibleMessages(options, signal);
  if (visible === 0) return first;
  return first.concat(await receive(Math.min(visible, batchSize - 1), 0));
}

/** Messages that could be received now (local-aws-sqs counts in-flight ones in ApproximateNumberOfMessages). */
async function visibleMessages(options: SqsPollerOptions, signal: AbortSignal): Promise<number> {
  const { Attributes = {} } = await options.client.send(
    new GetQueueAttributesCommand({
      QueueUrl: options.queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
    { abortSignal: signal },
  );
  const total = Number(Attributes.ApproximateNumberOfMessages ?? 0);
  const inFlight = Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
  return Math.max(0, total - inFlight);
}

async function deliver(options: SqsPollerOptions, messages: readonly Message[]): Promise<void> {
  const records = messages.map((message) => toRecord(message, options.queueArn));
  const invocation = await invoke(
    options.handler,
    { Records: records },
    options.functionName,
    options.timeoutMs ?? 30_000,
  );
  const ids = records.map((record) => record.messageId);
  let failed: readonly string[];
  let error: string | null = null;
  if (invocation.kind === 'returned') failed = failedIds(invocation.value, ids);
  else {
    failed = ids;
    error = invocation.kind === 'timedOut' ? 'Task timed out' : errorMessageOf(invocation.error);
  }
  const failedSet = new Set(failed);
  const done = messages.filter((message) => !failedSet.has(message.MessageId ?? ''));
  const retry = messages.filter((message) => failedSet.has(message.MessageId ?? ''));
  if (done.length > 0) {
    await options.client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: done.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
  }
  if (retry.length > 0 && options.retryVisibilitySeconds !== undefined) {
    await options.client.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: retry.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: options.retryVisibilitySeconds,
        })),
      }),
    );
  }
  options.onBatch?.({ functionName: options.functionName, records: records.length, failed, error });
}

/**
 * The ids a handler reported in `batchItemFailures`. Like Lambda, a response that names an
 * id not in the batch, or is malformed, fails the whole batch.
 */
function failedIds(response: unknown, ids: readonly string[]): readonly string[] {
  if (response === undefined || response === null) return [];
  if (typeof response !== 'object' || !('batchItemFailures' in response)) return [];
  const failures = response.batchItemFailures;
  if (!Array.isArray(failures)) return ids;
  const known = new Set(ids);
  const failed: string[] = [];
  for (const failure of failures as unknown[]) {
    const id =
      typeof failure === 'object' && failure !== null && 'itemIdentifier' in failure
        ? failure.itemIdentifier
        : null;
    if (typeof id !== 'string' || !known.has(id)) return ids;
    failed.push(id);
  }
  return failed;
}

/** An SQS event record as Lambda delivers it. */
export interface SqsRecord {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly attributes: Record<string, string>;
  readonly messageAttributes: Record<string, unknown>;
  readonly md5OfBody: string;
  readonly eventSource: 'aws:sqs';
  readonly eventSourceARN: string;
  readonly awsRegion: string;
}

function toRecord(message: Message, queueArn: string): SqsRecord {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.Attributes ?? {})) {
    if (typeof value === 'string') attributes[name] = value;
  }
  const messageAttributes: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      stringValue: value.StringValue,
      binaryValue: value.BinaryValue,
      stringListValues: [],
      binaryListValues: [],
      dataType: value.DataType,
    };
  }
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes,
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: queueArn.split(':')[3] ?? 'us-east-1',
  };
}

/** Read through a call, since the loop's condition has narrowed `signal.aborted` to false. */
function stopped(signal: AbortSignal): boolean {
  return signal.aborted;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
