// API Gateway Management API adapters: `@pushline/adapters/apigateway`.
export {
  ApiGatewayConnectionPusher,
  type ApiGatewayConnectionPusherOptions,
  managementEndpoint,
} from './api-gateway-connection-pusher.js';
