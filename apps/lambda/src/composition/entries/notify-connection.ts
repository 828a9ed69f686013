import type { Container } from 'inversify';
import { connections } from '../adapters/connections.js';
import { pusher } from '../adapters/pusher.js';
import { type AppConfig, loadConfig } from '../config.js';
import { createContainer, type Override } from '../container.js';
import { notifyConnection } from '../use-cases/notify-connection.js';

/** The NotifyConnection queue's consumer: `NotifyConnection`, which pushes through `@connections`. */
export function compose(config: AppConfig = loadConfig('notify-connection'), override?: Override): Container {
  return createContainer(config, [connections, pusher, notifyConnection], override);
}
