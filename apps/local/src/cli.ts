// `tsx apps/local/src/cli.ts`: the local gateway alone, with demonstration routes, until the dev
// stack wires the real Lambda handlers. Ctrl-C (SIGINT) or SIGTERM closes every socket cleanly.
import { stopOnSignals } from '@pushline/adapters/system';
import { loadConfig } from './config.js';
import { startLocalGateway } from './gateway.js';
import type { WebSocketMessageEvent } from './types.js';

const config = loadConfig();
const gateway = await startLocalGateway({
  host: config.host,
  port: config.port,
  stage: config.stage,
  timeouts: config.timeouts,
  log: (entry) => {
    process.stderr.write(`${JSON.stringify(entry)}\n`);
  },
  routes: {
    $connect: { handler: () => Promise.resolve({ statusCode: 200 }) },
    $disconnect: { handler: () => Promise.resolve({ statusCode: 200 }) },
    ping: {
      twoWay: true,
      handler: (event: WebSocketMessageEvent) => {
        let name: unknown;
        try {
          name = (JSON.parse(event.body) as { name?: unknown }).name;
        } catch {
          name = undefined;
        }
        const pong = typeof name === 'string' ? { type: 'pong', name } : { type: 'pong' };
        return Promise.resolve({ statusCode: 200, body: JSON.stringify(pong) });
      },
    },
    whoami: {
      twoWay: true,
      handler: (event) =>
        Promise.resolve({
          statusCode: 200,
          body: JSON.stringify({ connectionId: event.requestContext.connectionId }),
        }),
    },
    $default: {
      twoWay: true,
      handler: (event) => Promise.resolve({ statusCode: 200, body: event.body }),
    },
  },
});

process.stdout.write(
  `local API Gateway\n  WebSocket:    ${gateway.url}\n  @connections: ${gateway.managementEndpoint}/@connections/{connectionId}\n`,
);

stopOnSignals('the local gateway', () => gateway.close());
