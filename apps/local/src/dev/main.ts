import { stopOnSignals } from '@pushline/adapters/system';
import { HTTP_ROUTES } from '@pushline/lambda/topology';
import { loadDevConfig } from './config.js';
import { startDevStack } from './stack.js';

const config = loadDevConfig();
const stack = await startDevStack(config);
const lines = [
  `Pushline dev stack (stage '${config.stage}', auth mode '${config.authMode}'): the Lambda handlers on a local API Gateway, dynalite and local-aws-sqs`,
  `  Demo page      ${stack.httpUrl}/`,
  `  WebSocket      ${stack.wsUrl}   (add ?token=… or send {"action":"authorize","token":"…"})`,
  `  @connections   ${stack.managementEndpoint}/@connections/{connectionId}`,
  `  REST           ${HTTP_ROUTES.map((route) => `${route.method} ${stack.httpUrl}${route.path}`).join(' · ')}`,
  `  SQS endpoint   ${stack.aws.sqsEndpoint}   NotifyUser queue: ${stack.queues.NotifyUser.url}`,
  `  DynamoDB       ${stack.aws.dynamoDbEndpoint}`,
  'Press Ctrl+C to stop.',
];
process.stdout.write(`${lines.join('\n')}\n`);

// Ctrl+C: pnpm then prints `ELIFECYCLE Command failed.` (it does whenever it is interrupted);
// the stack's own last line, and its exit code 0, say how the stop went.
const portOf = (url: string): number => Number(new URL(url).port);
stopOnSignals('the dev stack', () => stack.close(), {
  ports: [
    { host: config.host, port: portOf(stack.httpUrl), name: 'HTTP' },
    { host: config.host, port: portOf(stack.wsUrl), name: 'WebSocket' },
    { host: config.host, port: portOf(stack.aws.sqsEndpoint), name: 'SQS' },
    { host: config.host, port: portOf(stack.aws.dynamoDbEndpoint), name: 'DynamoDB' },
  ],
  threads: ['the peers worker thread'],
});
