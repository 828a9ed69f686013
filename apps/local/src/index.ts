// The public surface of @pushline/local: a local API Gateway WebSocket API with @connections.

export { ENV, loadConfig } from './config.js';
export {
  type LocalGateway,
  type LocalGatewayLogEntry,
  type LocalGatewayOptions,
  type LocalGatewayRoutes,
  startLocalGateway,
} from './gateway.js';
export type { ManagementFault, ManagementFaultHook, ManagementRequest } from './management-api.js';
export type {
  WebSocketAuthorizerEvent,
  WebSocketConnectEvent,
  WebSocketDisconnectEvent,
  WebSocketEvent,
  WebSocketMessageEvent,
} from './types.js';
