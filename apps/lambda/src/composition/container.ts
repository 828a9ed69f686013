import { Logger } from '@aws-lambda-powertools/logger';
import { SystemClock } from '@pushline/adapters/system';
import type { Clock } from '@pushline/core';
import { Container, type ContainerModule } from 'inversify';
import type { AppConfig, EnvName } from './config.js';
import { TOKENS } from './tokens.js';

/** One group of bindings (an adapter group, or the use cases), made for one function's config. */
export type Module = (config: AppConfig) => ContainerModule;

/** A test's last word on a container: rebinds tokens before anything is resolved. */
export type Override = (container: Container) => void;

/**
 * Builds the container of one Lambda function from the modules its entry needs: the config,
 * the logger and the clock, then each module's bindings. Every binding is a singleton built on
 * first `get` from explicit tokens (no decorator metadata), so a function pays only for what it
 * resolves, and bundles only the adapter modules its entry file imports.
 */
export function createContainer(
  config: AppConfig,
  modules: readonly Module[],
  override?: Override,
): Container {
  const c = new Container({ defaultScope: 'Singleton' });
  c.bind<AppConfig>(TOKENS.Config).toConstantValue(config);
  c.bind<Logger>(TOKENS.Logger).toResolvedValue(
    () => new Logger({ serviceName: 'pushline', persistentKeys: { entry: config.entry } }),
  );
  c.bind<Clock>(TOKENS.Clock).toResolvedValue(() => new SystemClock());
  c.load(...modules.map((module) => module(config)));
  override?.(c);
  return c;
}

/** A setting the module needs; `null` means the entry's `ENTRIES` line lacks the area. */
export function required(value: string | null, name: EnvName): string {
  if (value === null) throw new Error(`${name} is not configured for this function`);
  return value;
}
