import type { Container } from 'inversify';
import { tokenIssuer } from '../adapters/token-keys.js';
import { type AppConfig, loadConfig } from '../config.js';
import { createContainer, type Override } from '../container.js';

/** `POST /token` (dev stages): the `JoseTokenIssuer` alone. */
export function compose(config: AppConfig = loadConfig('token'), override?: Override): Container {
  return createContainer(config, [tokenIssuer], override);
}
