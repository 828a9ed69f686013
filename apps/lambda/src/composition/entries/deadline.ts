import {
  type Clock,
  type ConnectionPusher,
  type ConnectionRepository,
  type DeadlineScheduler,
  EnforceAuthorizeDeadline,
  EnforceTokenExpiry,
} from '@pushline/core';
import { type Container, ContainerModule } from 'inversify';
import { connections } from '../adapters/connections.js';
import { pusher } from '../adapters/pusher.js';
import { deadlines } from '../adapters/queues.js';
import { type AppConfig, loadConfig } from '../config.js';
import { createContainer, type Override } from '../container.js';
import { TOKENS } from '../tokens.js';

/** The deadlines queue's consumer: the authorize deadline, and the token expiry check (which reschedules). */
export function compose(config: AppConfig = loadConfig('deadline'), override?: Override): Container {
  const useCases = (): ContainerModule =>
    new ContainerModule(({ bind }) => {
      bind<EnforceAuthorizeDeadline>(TOKENS.EnforceAuthorizeDeadline).toResolvedValue(
        (repository: ConnectionRepository, connectionPusher: ConnectionPusher) =>
          new EnforceAuthorizeDeadline(repository, connectionPusher),
        [TOKENS.ConnectionRepository, TOKENS.ConnectionPusher],
      );
      bind<EnforceTokenExpiry>(TOKENS.EnforceTokenExpiry).toResolvedValue(
        (
          repository: ConnectionRepository,
          connectionPusher: ConnectionPusher,
          clock: Clock,
          scheduler: DeadlineScheduler,
        ) => new EnforceTokenExpiry(repository, connectionPusher, clock, scheduler),
        [TOKENS.ConnectionRepository, TOKENS.ConnectionPusher, TOKENS.Clock, TOKENS.DeadlineScheduler],
      );
    });
  return createContainer(config, [connections, pusher, deadlines, useCases], override);
}
