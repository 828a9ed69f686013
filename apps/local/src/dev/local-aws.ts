import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { Worker } from 'node:worker_threads';
import { urlHost } from '@pushline/adapters/system';

/** Region and dummy credentials of the local peers: nothing here ever reaches AWS. */
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** DynamoDB (dynalite) and SQS (local-aws-sqs), in this process, with clients pointed at them. */
export interface LocalAws {
  readonly dynamoDbEndpoint: string;
  readonly sqsEndpoint: string;
  readonly dynamoDb: DynamoDBClient;
  readonly sqs: SQSClient;
  close(): Promise<void>;
}

/** A queue and its dead-letter queue. */
export interface LocalQueue {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly deadLetterUrl: string;
}

/**
 * Starts dynalite and local-aws-sqs on `host` (port 0: a free one), in a worker thread of
 * their own so they can use another core than the stack's main thread.
 */
export async function startLocalAws(
  host = '127.0.0.1',
  ports: { readonly sqs: number; readonly dynamoDb: number } = { sqs: 0, dynamoDb: 0 },
): Promise<LocalAws> {
  const worker = new Worker(new URL('./peers-worker.mjs', import.meta.url), { workerData: { host, ports } });
  const ready = await new Promise<{ dynamoDbPort: number; sqsPort: number }>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => {
      reject(new Error(`the local AWS peers stopped before they started (exit code ${code})`));
    });
    worker.once('message', (message: { dynamoDbPort: number; sqsPort: number }) => {
      resolve(message);
    });
  });
  const base = `http://${urlHost(host)}`;
  const dynamoDbEndpoint = `${base}:${ready.dynamoDbPort}`;
  const sqsEndpoint = `${base}:${ready.sqsPort}`;
  const dynamoDb = new DynamoDBClient({
    endpoint: dynamoDbEndpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const sqs = new SQSClient({ endpoint: sqsEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  return {
    dynamoDbEndpoint,
    sqsEndpoint,
    dynamoDb,
    sqs,
    async close() {
      dynamoDb.destroy();
      sqs.destroy();
      const closed = new Promise<void>((resolve) => {
        worker.once('exit', () => {
          resolve();
        });
      });
      worker.postMessage({ type: 'close' });
      // A worker that does not stop in time is ended: the peers hold only memory.
      const timer = setTimeout(() => void worker.terminate(), 5_000);
      await closed;
      clearTimeout(timer);
    },
  };
}

/** Creates a queue with a dead-letter queue that takes a message after `maxReceiveCount` receives. */
export async function createQueueWithDeadLetter(
  sqs: SQSClient,
  name: string,
  settings: { readonly maxReceiveCount: number; readonly visibilityTimeoutSeconds: number },
): Promise<LocalQueue> {
  const deadLetter = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const deadLetterUrl = required(deadLetter.QueueUrl, `${name}-dlq URL`);
  const redrive = {
    deadLetterTargetArn: await arnOf(sqs, deadLetterUrl),
    maxReceiveCount: settings.maxReceiveCount,
  };
  const created = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        RedrivePolicy: JSON.stringify(redrive),
        VisibilityTimeout: String(settings.visibilityTimeoutSeconds),
      },
    }),
  );
  const url = required(created.QueueUrl, `${name} URL`);
  return { name, url, arn: await arnOf(sqs, url), deadLetterUrl };
}

/** Receives and deletes every message visible now (until the queue reports none visible). */
export async function drainQueue(client: SQSClient, queueUrl: string): Promise<Message[]> {
  const all: Message[] = [];
  // Bounded: a queue that never empties is a failure, not a hang.
  for (let round = 0; round < 10_000; round++) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 60,
      }),
    );
    if (Messages.length === 0) {
      // A short poll gathers for a few ms on a timer, so on a busy machine it can come back
      // empty with messages waiting: only the queue's own count says the drain is done.
      if ((await visibleCount(client, queueUrl)) <= 0) return all;
      continue;
    }
    all.push(...Messages);
    await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
  }
  throw new Error(`${queueUrl} did not drain`);
}

/** Messages visible now: local-aws-sqs counts in-flight ones in ApproximateNumberOfMessages. */
async function visibleCount(client: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes = {} } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages ?? 0) -
    Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

async function arnOf(sqs: SQSClient, url: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  return required(Attributes?.QueueArn, `ARN of ${url}`);
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`local-aws-sqs returned no ${what}`);
  return value;
}
