// @pushline/client: the browser and Node client of Pushline. Zero dependencies, no Node built-ins.
export {
  PushlineClient,
  type Clock,
  type PushlineClientEvents,
  type PushlineClientOptions,
} from './client.js';
export { type ClientErrorCode, PushlineError } from './errors.js';
export {
  type ClientState,
  type Command,
  ConnectionMachine,
  type MachineEvent,
  type MachineSettings,
  type Notification,
  type Position,
  type Reset,
  type ServerFrame,
  tokenExpiry,
} from './machine.js';
export {
  type Transport,
  type TransportSink,
  type TransportSocket,
  type WebSocketConstructor,
  type WebSocketLike,
  webSocketTransport,
} from './transport.js';
