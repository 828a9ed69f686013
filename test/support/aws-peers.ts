// Real AWS protocol peers, in-process on 127.0.0.1 port 0: dynalite for DynamoDB and
// local-aws-sqs for SQS. Each test file starts the ones it needs in beforeAll and closes
// them in afterAll. Clients use dummy credentials and us-east-1; nothing leaves the machine.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type Message, SQSClient } from '@aws-sdk/client-sqs';
import { drainQueue } from '@pushline/local/dev';
import { createSqsServer } from 'local-aws-sqs';

const region = 'us-east-1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

interface DynaliteOptions {
  readonly createTableMs?: number;
  readonly deleteTableMs?: number;
  readonly updateTableMs?: number;
}

// dynalite is CommonJS without type declarations; this is the one function we use.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: DynaliteOptions) => Server;

/** A running peer: its endpoint, a client pointed at it, and how to stop both. */
export interface Peer<Client> {
  readonly endpoint: string;
  readonly client: Client;
  close(): Promise<void>;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${port}`);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  // The SDK's keep-alive sockets would hold close() open until they time out.
  server.closeAllConnections();
  return new Promise((resolve, reject) => {
    // dynalite's close() reports success as `null`, Node's as `undefined`.
    server.close((error?: Error | null) => {
      if (error === undefined || error === null) resolve();
      else reject(error);
    });
  });
}

/** Starts dynalite (in memory, tables ACTIVE at once) and a DynamoDB client for it. */
export async function startDynalite(): Promise<Peer<DynamoDBClient>> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const endpoint = await listen(server);
  const client = new DynamoDBClient({ endpoint, region, credentials });
  return {
    endpoint,
    client,
    close: async () => {
      client.destroy();
      await closeServer(server);
    },
  };
}

/** A queue made by {@link SqsPeer.createQueue}. */
export interface LocalQueue {
  readonly url: string;
  readonly arn: string;
  /** The dead-letter queue's URL, when one was asked for. */
  readonly deadLetterUrl: string | null;
}

/** local-aws-sqs, a client for it, and helpers to make and read queues. */
export interface SqsPeer extends Peer<SQSClient> {
  /** Creates a standard queue, optionally with a dead-letter queue after `maxReceiveCount` receives. */
  createQueue(name: string, options?: { dlq?: { maxReceiveCount: number } }): Promise<LocalQueue>;
  /** Receives and deletes every message visible now (until the queue reports none visible). */
  drain(queueUrl: string): Promise<Message[]>;
}

/** Starts local-aws-sqs and an SQS client for it. */
export async function startSqs(): Promise<SqsPeer> {
  const server = await createSqsServer({
    port: 0,
    hostname: '127.0.0.1',
    emulateQueueCreationLifecycle: false,
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new SQSClient({ endpoint, region, credentials });

  const arnOf = async (url: string): Promise<string> => {
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
    );
    const arn = Attributes?.QueueArn;
    if (arn === undefined) throw new Error(`no ARN for ${url}`);
    return arn;
  };

  const createQueue = async (
    name: string,
    options: { dlq?: { maxReceiveCount: number } } = {},
  ): Promise<LocalQueue> => {
    let deadLetterUrl: string | null = null;
    const attributes: Record<string, string> = {};
    if (options.dlq !== undefined) {
      const dlq = await client.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
      deadLetterUrl = dlq.QueueUrl ?? null;
      if (deadLetterUrl === null) throw new Error(`no URL for ${name}-dlq`);
      attributes.RedrivePolicy = JSON.stringify({
        deadLetterTargetArn: await arnOf(deadLetterUrl),
        maxReceiveCount: options.dlq.maxReceiveCount,
      });
    }
    const { QueueUrl } = await client.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    );
    if (QueueUrl === undefined) throw new Error(`no URL for ${name}`);
    return { url: QueueUrl, arn: await arnOf(QueueUrl), deadLetterUrl };
  };

  const drain = (queueUrl: string): Promise<Message[]> => drainQueue(client, queueUrl);

  return {
    endpoint,
    client,
    createQueue,
    drain,
    close: async () => {
      client.destroy();
      await closeServer(server);
    },
  };
}
