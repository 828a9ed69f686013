// Helpers for the bundled-handler tests: build the bundles once, import them, and feed them
// events shaped as API Gateway and the SQS event source mapping shape theirs.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { buildLambdas, LAMBDA_ROOT } from '@pushline/lambda/build';
import type { APIGatewayProxyEventV2, Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';

/** Where the bundles are, by handler name, and how to remove them. */
export interface TestBundles {
  readonly files: Readonly<Record<string, string>>;
  dispose(): Promise<void>;
}

/**
 * Builds every handler as SST does, into a fresh folder under apps/lambda (so that the AWS SDK,
 * external as on Lambda, resolves from apps/lambda/node_modules as the runtime provides it).
 */
export async function buildTestBundles(): Promise<TestBundles> {
  // dist/ is gitignored, so a fresh clone has none yet.
  await mkdir(join(LAMBDA_ROOT, 'dist'), { recursive: true });
  const outdir = await mkdtemp(join(LAMBDA_ROOT, 'dist', 'test-'));
  const built = await buildLambdas({ outdir });
  return {
    files: Object.fromEntries(built.map((handler) => [handler.name, handler.file])),
    dispose: () => rm(outdir, { recursive: true, force: true }),
  };
}

/**
 * Imports a bundle as Lambda's runtime would load it. `instance` makes a separate module
 * instance (its own cold start), so one bundle can be loaded under two configurations.
 */
export async function importBundle<T>(file: string, instance = 'default'): Promise<T> {
  return (await import(`${pathToFileURL(file).href}?instance=${instance}`)) as T;
}

let invocations = 0;

/** A Lambda `context` as the Node.js runtime passes it (without the deprecated callbacks). */
export function lambdaContext(functionName: string): Context {
  invocations += 1;
  const context: Omit<Context, 'done' | 'fail' | 'succeed'> = {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: `00000000-0000-4000-8000-${String(invocations).padStart(12, '0')}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/26/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 10_000,
  };
  return context as Context;
}

/** An HTTP API (payload 2.0) event, as API Gateway sends it to a Lambda proxy integration. */
export function httpEvent(
  routeKey: string,
  rawPath: string,
  options: { body?: string; token?: string; pathParameters?: Record<string, string> } = {},
): APIGatewayProxyEventV2 {
  invocations += 1;
  const [method = 'GET'] = routeKey.split(' ');
  const now = Date.now();
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: '',
    headers: {
      'content-type': 'application/json',
      host: 'abc123.execute-api.us-east-1.amazonaws.com',
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
    },
    requestContext: {
      accountId: '000000000000',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: `Req${String(invocations).padStart(12, '0')}=`,
      routeKey,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    isBase64Encoded: false,
    ...(options.body === undefined ? {} : { body: options.body }),
    ...(options.pathParameters === undefined ? {} : { pathParameters: options.pathParameters }),
  };
}

/** An SQS event as the event source mapping builds it from received messages. */
function sqsEvent(messages: readonly Message[], queueArn: string): SQSEvent {
  return {
    Records: messages.map((message) => ({
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: message.Attributes?.SentTimestamp ?? String(Date.now()),
        SenderId: 'AIDAIENQZJOLO23YVJ4VO',
        ApproximateFirstReceiveTimestamp:
          message.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: 'us-east-1',
    })),
  };
}

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** What one {@link consumeOnce} did. */
export interface Consumed {
  readonly messages: readonly Message[];
  readonly response: SQSBatchResponse;
}

/**
 * Does what Lambda's SQS event source mapping does, once: receives up to `want` messages
 * (waiting at most `waitMs` for them), invokes the handler with one batch, deletes the
 * messages not reported in `batchItemFailures`, and makes the failed ones visible again.
 */
export async function consumeOnce(
  client: SQSClient,
  queue: { readonly url: string; readonly arn: string },
  handler: SqsHandler,
  want: number,
  waitMs = 10_000,
): Promise<Consumed> {
  const messages: Message[] = [];
  const deadline = Date.now() + waitMs;
  while (messages.length < want && Date.now() < deadline) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.url,
        MaxNumberOfMessages: Math.min(10, want - messages.length),
        WaitTimeSeconds: 1,
        VisibilityTimeout: 30,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    messages.push(...Messages);
  }
  if (messages.length < want) {
    throw new Error(`received ${messages.length} of ${want} messages from ${queue.url} in ${waitMs} ms`);
  }
  const response = await handler(sqsEvent(messages, queue.arn), lambdaContext('queue-consumer'));
  const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
  for (const message of messages) {
    if (failed.has(message.MessageId ?? '')) {
      await client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queue.url,
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    } else {
      await client.send(
        new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message.ReceiptHandle }),
      );
    }
  }
  return { messages, response };
}

/**
 * Runs the consumer on whatever arrives within `waitMs`, at most `rounds` times, and returns
 * how many records each round reported failed: what a poison message goes through before
 * its queue's redrive policy moves it to the dead-letter queue.
 */
export async function redeliver(
  client: SQSClient,
  queue: { readonly url: string; readonly arn: string },
  handler: SqsHandler,
  rounds: number,
  waitMs = 2_000,
): Promise<number[]> {
  const failures: number[] = [];
  for (let round = 0; round < rounds; round++) {
    try {
      const consumed = await consumeOnce(client, queue, handler, 1, waitMs);
      failures.push(consumed.response.batchItemFailures.length);
    } catch {
      // Nothing arrived: the queue moved the message on.
      return failures;
    }
  }
  return failures;
}
