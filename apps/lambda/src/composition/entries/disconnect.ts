import { type ConnectionRepository, Disconnect } from '@pushline/core';
import { type Container, ContainerModule } from 'inversify';
import { connections } from '../adapters/connections.js';
import { type AppConfig, loadConfig } from '../config.js';
import { createContainer, type Override } from '../container.js';
import { TOKENS } from '../tokens.js';

/** `$disconnect`: `Disconnect`, which removes the record. */
export function compose(config: AppConfig = loadConfig('disconnect'), override?: Override): Container {
  const useCase = (): ContainerModule =>
    new ContainerModule(({ bind }) => {
      bind<Disconnect>(TOKENS.Disconnect).toResolvedValue(
        (repository: ConnectionRepository) => new Disconnect(repository),
        [TOKENS.ConnectionRepository],
      );
    });
  return createContainer(config, [connections, useCase], override);
}
