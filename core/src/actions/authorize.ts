import { type ClientFrame, errorFrame, type ServerFrame } from '../domain/frame.js';
import type { ConnectionId, UserId } from '../domain/ids.js';
import type { Outcome } from '../domain/outcome.js';
import type { Action, ActionContext } from './action.js';
import type { BuiltInActionName } from './built-in.js';

/**
 * What the action needs: in-band authorization of a connection with a token (the `Authorize`
 * use case is one). Declared here so that the action depends on no use case.
 */
export interface InBandAuthorization {
  execute(input: {
    readonly connectionId: ConnectionId;
    readonly token: string;
  }): Promise<Outcome<{ readonly userId: UserId }, 'UNAUTHORIZED'>>;
}

/** `{"action":"authorize","token":"<JWT>"}` → `{"type":"authorized","userId":"…"}` or `UNAUTHORIZED`. */
export class AuthorizeAction implements Action {
  readonly name = 'authorize' satisfies BuiltInActionName;
  readonly allowAnonymous = true;

  constructor(private readonly authorize: InBandAuthorization) {}

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
