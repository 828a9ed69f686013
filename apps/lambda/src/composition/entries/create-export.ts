import { type Clock, type ExportRepository, type MessageQueue, StartExport } from '@pushline/core';
import { type Container, ContainerModule } from 'inversify';
import { exportRepository } from '../adapters/exports.js';
import { notifyQueues } from '../adapters/queues.js';
import { tokenVerifier } from '../adapters/token-keys.js';
import { type AppConfig, loadConfig } from '../config.js';
import { createContainer, type Override } from '../container.js';
import { TOKENS } from '../tokens.js';

/** `POST /exports`: the `TokenVerifier` for the caller, and `StartExport`. */
export function compose(config: AppConfig = loadConfig('create-export'), override?: Override): Container {
  const useCase = (): ContainerModule =>
    new ContainerModule(({ bind }) => {
      bind<StartExport>(TOKENS.StartExport).toResolvedValue(
        (repository: ExportRepository, queue: MessageQueue, clock: Clock) =>
          new StartExport(repository, queue, clock),
        [TOKENS.ExportRepository, TOKENS.MessageQueue, TOKENS.Clock],
      );
    });
  return createContainer(config, [tokenVerifier, exportRepository, notifyQueues, useCase], override);
}
