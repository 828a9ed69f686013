export { WsConnectionPusher, type WsConnectionPusherOptions } from './ws-connection-pusher.js';
