// `pnpm notify <userId> [data as JSON] [id]`: sends a NotifyUser message to the running dev
// stack's queue, as other code would on AWS. Every message carries an `id` (a fresh one unless
// given), so a redelivery or a redrive is stored and shown once.
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { loadDevConfig } from './config.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './local-aws.js';
import { LOCAL_RESOURCES } from './stack.js';

const [userId, data = '{"hello":"from pnpm notify"}', id = `notify-${randomUUID()}`] = process.argv
  .slice(2)
  .filter((arg) => arg !== '--');
if (userId === undefined) {
  process.stderr.write('usage: pnpm notify <userId> [data as JSON] [id]\n');
  process.exit(2);
}
let parsed: unknown;
try {
  parsed = JSON.parse(data);
} catch {
  process.stderr.write(`the data must be JSON, got: ${data}\n`);
  process.exit(2);
}
const config = loadDevConfig();
const sqs = new SQSClient({
  endpoint: `http://${config.host}:${config.sqsPort}`,
  region: LOCAL_REGION,
  credentials: LOCAL_CREDENTIALS,
});
try {
  const { QueueUrl } = await sqs.send(
    new GetQueueUrlCommand({ QueueName: LOCAL_RESOURCES.queues.NotifyUser }),
  );
  const sent = await sqs.send(
    new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify({ userId, id, data: parsed }) }),
  );
  process.stdout.write(`sent NotifyUser ${sent.MessageId ?? ''} (id ${id}) for user ${userId}\n`);
} catch (error) {
  process.stderr.write(
    `could not reach the dev stack's SQS at port ${config.sqsPort} (is pnpm dev running?): ${String(error)}\n`,
  );
  process.exitCode = 1;
} finally {
  sqs.destroy();
}
