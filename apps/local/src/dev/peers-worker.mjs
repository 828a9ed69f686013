// dynalite and local-aws-sqs in a worker thread, so that on a machine with more than one core
// they don't share the event loop of the gateway and the handlers that call them.
// Plain JavaScript: it runs under node, tsx and vitest alike, with no TypeScript loader.
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import { createSqsServer } from 'local-aws-sqs';

const dynalite = createRequire(import.meta.url)('dynalite');
const { host, ports } = workerData;

const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
await new Promise((resolve, reject) => {
  dynamo.once('error', reject);
  dynamo.listen(ports.dynamoDb, host, resolve);
});
const sqs = await createSqsServer({ port: ports.sqs, hostname: host, emulateQueueCreationLifecycle: false });

function close(server) {
  // The SDK's keep-alive sockets would hold close() open until they time out.
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

parentPort.on('message', (message) => {
  if (message?.type !== 'close') return;
  Promise.all([close(dynamo), close(sqs)]).then(() => {
    parentPort.postMessage({ type: 'closed' });
    parentPort.close();
  });
});
parentPort.postMessage({ type: 'ready', dynamoDbPort: dynamo.address().port, sqsPort: sqs.address().port });
