export { rawDataBytes, rawDataText } from './raw-data.js';
export { WsConnectionPusher, type WsConnectionPusherOptions } from './ws-connection-pusher.js';
