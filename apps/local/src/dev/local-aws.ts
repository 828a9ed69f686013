import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createSqsServer } from 'local-aws-sqs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';

/** Region and dummy credentials of the local peers: nothing here ever reaches AWS. */
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

interface DynaliteOptions {
  readonly createTableMs?: number;
  readonly deleteTableMs?: number;
  readonly updateTableMs?: number;
}

// dynalite is CommonJS without type declarations; this is the one function we use.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: DynaliteOptions) => Server;

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

/** Starts dynalite and local-aws-sqs on `host` (port 0: a free one). */
export async function startLocalAws(
  host = '127.0.0.1',
  ports: { readonly sqs: number; readonly dynamoDb: number } = { sqs: 0, dynamoDb: 0 },
): Promise<LocalAws> {
  const dynamoServer = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    dynamoServer.once('error', reject);
    dynamoServer.listen(ports.dynamoDb, host, resolve);
  });
  const sqsServer = await createSqsServer({
    port: ports.sqs,
    hostname: host,
    emulateQueueCreationLifecycle: false,
  });
  const urlOf = (server: Server): string => {
    const { port } = server.address() as AddressInfo;
    return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  };
  const dynamoDbEndpoint = urlOf(dynamoServer);
  const sqsEndpoint = urlOf(sqsServer);
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
      await Promise.all([closeServer(dynamoServer), closeServer(sqsServer)]);
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

function closeServer(server: Server): Promise<void> {
  // The SDK's keep-alive sockets would hold close() open until they time out.
  server.closeAllConnections();
  return new Promise((resolve, reject) => {
    server.close((error?: Error | null) => {
      if (error === undefined || error === null) resolve();
      else reject(error);
    });
  });
}
