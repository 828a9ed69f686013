export {
  type AuthMode,
  ENV,
  isLoopbackHost,
  loadConfig,
  type Mode,
  type ServerConfig,
  type TokenKeys,
} from './config.js';
export {
  AUTHORIZE_DEADLINE_CLOSE_CODE,
  MAX_INBOUND_MESSAGE_BYTES,
  RATE_LIMIT_CLOSE_CODE,
  TOKEN_EXPIRED_CLOSE_CODE,
  type PushlineServer,
  type ServerOptions,
  startServer,
} from './server.js';
