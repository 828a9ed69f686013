import {
  type Clock,
  type ConnectionPusher,
  type ConnectionRepository,
  NotifyConnection,
} from '@pushline/core';
import { ContainerModule } from 'inversify';
import type { AppConfig } from '../config.js';
import { TOKENS } from '../tokens.js';

/** `NotifyConnection`, shared by its queue's consumer and NotifyUser's in-place pushes. */
export const notifyConnection = (config: AppConfig): ContainerModule =>
  new ContainerModule(({ bind }) => {
    bind<NotifyConnection>(TOKENS.NotifyConnection).toResolvedValue(
      (pusher: ConnectionPusher, repository: ConnectionRepository, clock: Clock) =>
        new NotifyConnection(pusher, repository, clock, { connectGraceMs: config.connectGraceMs }),
      [TOKENS.ConnectionPusher, TOKENS.ConnectionRepository, TOKENS.Clock],
    );
  });
