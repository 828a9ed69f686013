import { builtInActions, type Route } from '@pushline/core';
import { type Container, ContainerModule } from 'inversify';
import { anonymousRoute } from '../anonymous-route.js';
import { type AppConfig, loadConfig } from '../config.js';
import { createContainer, type Override } from '../container.js';
import { TOKENS } from '../tokens.js';

/** `ping`: a Route with `ping` only, which answers from the frame alone (no adapter at all). */
export function compose(config: AppConfig = loadConfig('ping'), override?: Override): Container {
  const route = (): ContainerModule =>
    new ContainerModule(({ bind }) => {
      bind<Route>(TOKENS.Route).toResolvedValue(() => anonymousRoute(builtInActions({}, ['ping'])));
    });
  return createContainer(config, [route], override);
}
