import type { Route } from '@pushline/core';
import { type Container, ContainerModule } from 'inversify';
import { anonymousRoute } from '../anonymous-route.js';
import { type AppConfig, loadConfig } from '../config.js';
import { createContainer, type Override } from '../container.js';
import { TOKENS } from '../tokens.js';

/**
 * `$default`: the frames no route takes. Every built-in action has its own route (`ping`,
 * `authorize`, `resume`), so API Gateway sends here only frames that are malformed or name no
 * known action; this Route answers them (`MALFORMED_FRAME`, `UNKNOWN_ACTION`) with no adapter.
 * An action without a route of its own goes here, with the modules it needs; one that needs a
 * user takes `new Route(repository, …)` over the `connections` module instead.
 */
export function compose(config: AppConfig = loadConfig('default'), override?: Override): Container {
  const route = (): ContainerModule =>
    new ContainerModule(({ bind }) => {
      bind<Route>(TOKENS.Route).toResolvedValue(() => anonymousRoute([]));
    });
  return createContainer(config, [route], override);
}
