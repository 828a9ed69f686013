import { ApiGatewayConnectionPusher } from '@pushline/adapters/apigateway';
import type { ConnectionPusher } from '@pushline/core';
import { ContainerModule } from 'inversify';
import { type AppConfig, ENV } from '../config.js';
import { required } from '../container.js';
import { TOKENS } from '../tokens.js';

/** The Management API of the WebSocket stage: `ConnectionPusher` (needs `pusher` and `directPush`). */
export const pusher = (config: AppConfig): ContainerModule =>
  new ContainerModule(({ bind }) => {
    bind<ConnectionPusher>(TOKENS.ConnectionPusher).toResolvedValue(
      () =>
        new ApiGatewayConnectionPusher({
          endpoint: required(config.managementEndpoint, ENV.managementEndpoint),
        }),
    );
  });
