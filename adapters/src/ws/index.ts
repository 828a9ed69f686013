export { rawDataBytes, rawDataText } from './raw-data.js';
export { WsConnectionPusher, type WsConnectionPusherOptions } from './ws-connection-pusher.js';
export { type WsSession, WsSessionRegistry } from './ws-session-registry.js';
