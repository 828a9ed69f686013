import { type ClientFrame, errorFrame, type ServerFrame } from '../domain/frame.js';
import type { ConnectionId } from '../domain/ids.js';
import type { Outcome } from '../domain/outcome.js';
import type { Action, ActionContext, Authorization, AuthorizingReply } from './action.js';
import type { BuiltInActionName } from './built-in.js';

/**
 * What the action needs: in-band authorization of a connection with a token (the `Authorize`
 * use case is one). Declared here so that the action depends on no use case.
 */
export interface InBandAuthorization {
  execute(input: {
    readonly connectionId: ConnectionId;
    readonly token: string;
  }): Promise<Outcome<Authorization, 'UNAUTHORIZED'>>;
}

/**
 * `{"action":"authorize","token":"<JWT>"}` → `{"type":"authorized","userId":"…"}` or `UNAUTHORIZED`;
 * a granted authorization (user and expiry) also goes to the transport on the route outcome.
 */
export class AuthorizeAction implements Action {
  readonly name = 'authorize' satisfies BuiltInActionName;
  readonly allowAnonymous = true;

  constructor(private readonly authorize: InBandAuthorization) {}

  async handle(frame: ClientFrame, context: ActionContext): Promise<ServerFrame | AuthorizingReply> {
    const { token } = frame;
    if (typeof token !== 'string' || token.length === 0) {
      return errorFrame('MALFORMED_FRAME', "'token' must be a non-empty string");
    }
    const outcome = await this.authorize.execute({ connectionId: context.connectionId, token });
    if (!outcome.ok) return errorFrame('UNAUTHORIZED', outcome.error.message);
    const { userId, expiresAt } = outcome.value;
    return { frame: { type: 'authorized', userId }, authorized: { userId, expiresAt } };
  }
}
