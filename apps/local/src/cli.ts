// `tsx apps/local/src/cli.ts`: the local gateway alone, with demonstration routes, until the dev
// stack wires the real Lambda handlers. Ctrl-C (SIGINT) or SIGTERM closes every socket cleanly.
import { InMemoryConnectionRepository } from '@pushline/adapters/memory';
import { stopOnSignals } from '@pushline/adapters/system';
import { PingAction, Route } from '@pushline/core';
import { loadConfig } from './config.js';
import { startLocalGateway } from './gateway.js';
import type { WebSocketMessageEvent } from './types.js';

const config = loadConfig();
// ping is open to anonymous sockets, so Route never reads this (empty) registry for it.
const ping = new Route(new InMemoryConnectionRepository(), [new PingAction()]);
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
      // core's PingAction, through Route, as the deployed `ping` handler answers it.
      handler: async (event: WebSocketMessageEvent) => {
        const outcome = await ping.execute({
          connectionId: event.requestContext.connectionId,
          body: event.body,
        });
        return { statusCode: 200, body: outcome.payload };
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
