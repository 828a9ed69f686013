export { type Environment, EnvReader } from './env-reader.js';
export { stopOnSignals } from './stop-on-signals.js';
export { SystemClock } from './system-clock.js';
export { closeServer, listen, urlHost } from './http-server.js';
