import type { Container } from 'inversify';
import { tokenVerifier } from '../adapters/token-keys.js';
import { type AppConfig, loadConfig } from '../config.js';
import { createContainer, type Override } from '../container.js';

/** The `$connect` authorizer: the `TokenVerifier` alone. */
export function compose(config: AppConfig = loadConfig('authorizer'), override?: Override): Container {
  return createContainer(config, [tokenVerifier], override);
}
