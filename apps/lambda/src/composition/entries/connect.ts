import {
  type Clock,
  Connect,
  type ConnectionRepository,
  type DeadlineScheduler,
  type TokenVerifier,
} from '@pushline/core';
import { type Container, ContainerModule } from 'inversify';
import { connections } from '../adapters/connections.js';
import { deadlines } from '../adapters/queues.js';
import { tokenVerifier } from '../adapters/token-keys.js';
import { type AppConfig, loadConfig } from '../config.js';
import { createContainer, type Override } from '../container.js';
import { TOKENS } from '../tokens.js';

/** `$connect`: `Connect`, which stores the record and schedules the authorize deadline. */
export function compose(config: AppConfig = loadConfig('connect'), override?: Override): Container {
  const useCase = (): ContainerModule =>
    new ContainerModule(({ bind }) => {
      bind<Connect>(TOKENS.Connect).toResolvedValue(
        (
          repository: ConnectionRepository,
          verifier: TokenVerifier,
          clock: Clock,
          scheduler: DeadlineScheduler,
        ) =>
          new Connect(
            repository,
            verifier,
            clock,
            { allowAnonymous: config.authMode === 'either', authorizeDeadlineMs: config.authorizeDeadlineMs },
            scheduler,
          ),
        [TOKENS.ConnectionRepository, TOKENS.TokenVerifier, TOKENS.Clock, TOKENS.DeadlineScheduler],
      );
    });
  return createContainer(config, [connections, tokenVerifier, deadlines, useCase], override);
}
