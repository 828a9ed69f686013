import { type Clock, DownloadExport, type ExportRepository } from '@pushline/core';
import { type Container, ContainerModule } from 'inversify';
import { exportRepository } from '../adapters/exports.js';
import { tokenVerifier } from '../adapters/token-keys.js';
import { type AppConfig, loadConfig } from '../config.js';
import { createContainer, type Override } from '../container.js';
import { TOKENS } from '../tokens.js';

/** `GET /exports/{id}`: the `TokenVerifier` for the caller, and `DownloadExport`. */
export function compose(config: AppConfig = loadConfig('get-export'), override?: Override): Container {
  const useCase = (): ContainerModule =>
    new ContainerModule(({ bind }) => {
      bind<DownloadExport>(TOKENS.DownloadExport).toResolvedValue(
        (repository: ExportRepository, clock: Clock) => new DownloadExport(repository, clock),
        [TOKENS.ExportRepository, TOKENS.Clock],
      );
    });
  return createContainer(config, [tokenVerifier, exportRepository, useCase], override);
}
