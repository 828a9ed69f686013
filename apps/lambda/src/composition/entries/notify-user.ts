import {
  type Clock,
  type ConnectionRepository,
  type MessageQueue,
  type NotificationStream,
  type NotifyConnection,
  NotifyUser,
} from '@pushline/core';
import { type Container, ContainerModule } from 'inversify';
import { connections } from '../adapters/connections.js';
import { pusher } from '../adapters/pusher.js';
import { notifyQueues } from '../adapters/queues.js';
import { stream } from '../adapters/stream.js';
import { type AppConfig, loadConfig } from '../config.js';
import { createContainer, type Module, type Override } from '../container.js';
import { TOKENS } from '../tokens.js';
import { notifyConnection } from '../use-cases/notify-connection.js';

/**
 * The NotifyUser queue's consumer: `NotifyUser`, which appends to the user's stream and fans out
 * on the NotifyConnection queue, or pushes in place to a user with few sockets.
 */
export function compose(config: AppConfig = loadConfig('notify-user'), override?: Override): Container {
  const direct = config.directPushLimit > 0;
  const useCase = (): ContainerModule =>
    new ContainerModule(({ bind }) => {
      // NotifyConnection is bound only when in-place pushes are on (direct); otherwise it is undefined.
      bind<NotifyUser>(TOKENS.NotifyUser).toResolvedValue(
        (
          repository: ConnectionRepository,
          queue: MessageQueue,
          clock: Clock,
          notifications: NotificationStream,
          delivery: NotifyConnection | undefined,
        ) =>
          new NotifyUser(
            repository,
            queue,
            clock,
            notifications,
            delivery === undefined
              ? {}
              : { directPush: { delivery, maxConnections: config.directPushLimit } },
          ),
        [
          TOKENS.ConnectionRepository,
          TOKENS.MessageQueue,
          TOKENS.Clock,
          TOKENS.NotificationStream,
          { serviceIdentifier: TOKENS.NotifyConnection, optional: true },
        ],
      );
    });
  const modules: Module[] = [connections, notifyQueues, stream, useCase];
  if (direct) modules.push(pusher, notifyConnection);
  return createContainer(config, modules, override);
}
