import type { ClientFrame, ServerFrame } from '../domain/frame.js';
import type { ConnectionId, UserId } from '../domain/ids.js';

/** What an action knows about the frame's sender. */
export interface ActionContext {
  readonly connectionId: ConnectionId;
  /** The sender's user, or `null` for an anonymous connection (only for actions that allow it). */
  readonly userId: UserId | null;
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
   * Answers the frame with exactly one frame. May throw for infrastructure faults;
   * `Route` answers those with `INTERNAL`.
   */
  handle(frame: ClientFrame, context: ActionContext): Promise<ServerFrame>;
  /**
   * Answers at once, for an action that needs no I/O (`ping`), exactly as `handle` would:
   * `Route.executeNow` uses it so a transport can answer such a frame without a promise.
   */
  handleNow?(frame: ClientFrame, context: ActionContext): ServerFrame;
}
