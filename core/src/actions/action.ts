import type { ClientFrame, ServerFrame } from '../domain/frame.js';
import type { ConnectionId, UserId } from '../domain/ids.js';

/** What an action knows about the frame's sender. */
export interface ActionContext {
  readonly connectionId: ConnectionId;
  /** The sender's user, or `null` for an anonymous connection (only for actions that allow it). */
  readonly userId: UserId | null;
}

/** A connection's authorization, as an action that granted it reports it to the transport. */
export interface Authorization {
  /** The user the connection now belongs to. */
  readonly userId: UserId;
  /** When the authorization ends (the token's `exp`), in epoch ms. */
  readonly expiresAt: number;
}

/**
 * What an action that authorizes a connection answers with: the frame to send back, and the
 * authorization, so the transport learns the user and expiry without reading the frame or the
 * registry.
 */
export interface AuthorizingReply {
  readonly frame: ServerFrame;
  readonly authorized: Authorization | null;
}

/**
 * One client action, looked up by {@link Route} from the frame's `action` field.
 * Adding an action = writing one of these and passing it to `Route`; a built-in one is also
 * named in `BUILT_IN_ACTIONS`, which gives it its own route on AWS.
 */
export interface Action {
  /** The value of `action` that selects it. */
  readonly name: string;
  /** Whether an anonymous connection may use it. Only `ping` and `authorize` do. */
  readonly allowAnonymous: boolean;
  /**
   * Answers the frame with exactly one frame (with the authorization it granted, for an
   * action that authorizes). May throw for infrastructure faults; `Route` answers those with
   * `INTERNAL`.
   */
  handle(frame: ClientFrame, context: ActionContext): Promise<ServerFrame | AuthorizingReply>;
  /**
   * Answers at once, for an action that needs no I/O (`ping`), exactly as `handle` would:
   * `Route.executeNow` uses it so a transport can answer such a frame without a promise.
   */
  handleNow?(frame: ClientFrame, context: ActionContext): ServerFrame;
}
