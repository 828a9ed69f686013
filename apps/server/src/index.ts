export { isLoopbackHost, loadConfig } from './config.js';
export { AUTHORIZE_DEADLINE_CLOSE_CODE } from './composition.js';
export { type PushlineServer, startServer } from './server.js';
export { RATE_LIMIT_CLOSE_CODE } from './session.js';
