import { builtInActions, type ConnectionRepository, type NotificationStream, Route } from '@pushline/core';
import { type Container, ContainerModule } from 'inversify';
import { connections } from '../adapters/connections.js';
import { stream } from '../adapters/stream.js';
import { type AppConfig, loadConfig } from '../config.js';
import { createContainer, type Override } from '../container.js';
import { TOKENS } from '../tokens.js';

/** `resume`: a Route with `resume` only, reading the sender's notification stream. */
export function compose(config: AppConfig = loadConfig('resume'), override?: Override): Container {
  const route = (): ContainerModule =>
    new ContainerModule(({ bind }) => {
      bind<Route>(TOKENS.Route).toResolvedValue(
        (repository: ConnectionRepository, notifications: NotificationStream) =>
          new Route(repository, builtInActions({ stream: notifications }, ['resume'])),
        [TOKENS.ConnectionRepository, TOKENS.NotificationStream],
      );
    });
  return createContainer(config, [connections, stream, route], override);
}
