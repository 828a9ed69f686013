export { bearerToken } from './bearer-token.js';
export { type Environment, EnvReader, isStageName, TOKEN_ENV, type TokenSettings } from './env-reader.js';
export {
  type HeldPort,
  type HeldResources,
  stoppedLine,
  stopOnSignals,
  unreleased,
} from './stop-on-signals.js';
export { SystemClock } from './system-clock.js';
export { closeServer, listen, urlHost } from './http-server.js';
export { readBody } from './read-body.js';
