export { isLoopbackHost, loadConfig } from './config.js';
export {
  AUTHORIZE_DEADLINE_CLOSE_CODE,
  RATE_LIMIT_CLOSE_CODE,
  type PushlineServer,
  startServer,
} from './server.js';
