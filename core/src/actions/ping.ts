import { type ClientFrame, errorFrame, type ServerFrame } from '../domain/frame.js';
import type { Action } from './action.js';

/** `{"action":"ping","name":"Stepan"}` → `{"type":"pong","name":"Stepan"}`; `name` is optional. */
export class PingAction implements Action {
  readonly name = 'ping';
  readonly allowAnonymous = true;

  handle(frame: ClientFrame): Promise<ServerFrame> {
    const { name } = frame;
    if (name === undefined) return Promise.resolve({ type: 'pong' });
    if (typeof name !== 'string')
      return Promise.resolve(errorFrame('MALFORMED_FRAME', "'name' must be a string"));
    return Promise.resolve({ type: 'pong', name });
  }
}
