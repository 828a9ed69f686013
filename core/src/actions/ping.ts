import { type ClientFrame, errorFrame, type ServerFrame } from '../domain/frame.js';
import type { Action } from './action.js';
import type { BuiltInActionName } from './built-in.js';

/** `{"action":"ping","name":"Stepan"}` → `{"type":"pong","name":"Stepan"}`; `name` is optional. */
export class PingAction implements Action {
  readonly name = 'ping' satisfies BuiltInActionName;
  readonly allowAnonymous = true;

  handle(frame: ClientFrame): Promise<ServerFrame> {
    return Promise.resolve(this.handleNow(frame));
  }

  handleNow(frame: ClientFrame): ServerFrame {
    const { name } = frame;
    if (name === undefined) return { type: 'pong' };
    if (typeof name !== 'string') return errorFrame('MALFORMED_FRAME', "'name' must be a string");
    return { type: 'pong', name };
  }
}
