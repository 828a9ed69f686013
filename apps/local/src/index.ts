// The public surface of @pushline/local: a local API Gateway WebSocket API with @connections.

export { ENV, type LocalGatewayConfig, loadConfig } from './config.js';
export {
  DEFAULT_LIMITS,
  DEFAULT_TIMEOUTS,
  type LambdaHandler,
  type LocalGateway,
  type LocalGatewayAuthorizer,
  type LocalGatewayLimits,
  type LocalGatewayLogEntry,
  type LocalGatewayOptions,
  type LocalGatewayRoutes,
  type LocalGatewayTimeouts,
  type RouteConfig,
  startLocalGateway,
} from './gateway.js';
export type {
  ManagementFault,
  ManagementFaultHook,
  ManagementOperation,
  ManagementRequest,
} from './management-api.js';
export type {
  AuthorizerResult,
  LambdaCallback,
  LambdaContext,
  RouteResult,
  WebSocketAuthorizerEvent,
  WebSocketConnectEvent,
  WebSocketDisconnectEvent,
  WebSocketEvent,
  WebSocketIdentity,
  WebSocketMessageEvent,
  WebSocketRequestContext,
} from './types.js';
