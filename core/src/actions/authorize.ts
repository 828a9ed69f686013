import { type ClientFrame, errorFrame, type ServerFrame } from '../domain/frame.js';
import type { Authorize } from '../use-cases/authorize.js';
import type { Action, ActionContext } from './action.js';

/** `{"action":"authorize","token":"<JWT>"}` → `{"type":"authorized","userId":"…"}` or `UNAUTHORIZED`. */
export class AuthorizeAction implements Action {
  readonly name = 'authorize';
  readonly allowAnonymous = true;

  constructor(private readonly authorize: Authorize) {}

  async handle(frame: ClientFrame, context: ActionContext): Promise<ServerFrame> {
    const { token } = frame;
    if (typeof token !== 'string' || token.length === 0) {
      return errorFrame('MALFORMED_FRAME', "'token' must be a non-empty string");
    }
    const outcome = await this.authorize.execute({ connectionId: context.connectionId, token });
    return outcome.ok
      ? { type: 'authorized', userId: outcome.value.userId }
      : errorFrame('UNAUTHORIZED', outcome.error.message);
  }
}
