import {
  Authorize,
  type Clock,
  type ConnectionRepository,
  type DeadlineScheduler,
  defaultActions,
  Route,
  type TokenVerifier,
} from '@pushline/core';
import { type Container, ContainerModule } from 'inversify';
import { connections } from '../adapters/connections.js';
import { deadlines } from '../adapters/queues.js';
import { tokenVerifier } from '../adapters/token-keys.js';
import { type AppConfig, loadConfig } from '../config.js';
import { createContainer, type Override } from '../container.js';
import { TOKENS } from '../tokens.js';

/** `authorize`: a Route with the built-in actions; every authorization schedules its token's expiry check. */
export function compose(config: AppConfig = loadConfig('authorize'), override?: Override): Container {
  const useCases = (): ContainerModule =>
    new ContainerModule(({ bind }) => {
      bind<Authorize>(TOKENS.Authorize).toResolvedValue(
        (
          repository: ConnectionRepository,
          verifier: TokenVerifier,
          scheduler: DeadlineScheduler,
          clock: Clock,
        ) => new Authorize(repository, verifier, { deadlines: scheduler, clock }),
        [TOKENS.ConnectionRepository, TOKENS.TokenVerifier, TOKENS.DeadlineScheduler, TOKENS.Clock],
      );
      bind<Route>(TOKENS.Route).toResolvedValue(
        (repository: ConnectionRepository, authorize: Authorize) =>
          new Route(repository, defaultActions(authorize)),
        [TOKENS.ConnectionRepository, TOKENS.Authorize],
      );
    });
  return createContainer(config, [connections, tokenVerifier, deadlines, useCases], override);
}
