import type { Action, Authorization, AuthorizingReply } from '../actions/action.js';
import type { ClientErrorCode } from '../domain/errors.js';
import {
  type ClientFrame,
  errorFrame,
  exceedsUtf8Bytes,
  MAX_PAYLOAD_BYTES,
  parseClientFrame,
  requestIdOf,
  serializeFrame,
  type ServerFrame,
} from '../domain/frame.js';
import type { ConnectionId, UserId } from '../domain/ids.js';
import type { ConnectionRepository } from '../ports/connection-repository.js';

/**
 * A frame parsed once by {@link Route.prepare}, for `executeNow` and then `execute` of the same
 * Route, so that a frame that needs I/O is not decoded and parsed a second time. Its fields are
 * Route's own: what the parse found, the answer already or the action to run.
 */
export type PreparedFrame =
  | { readonly kind: 'answered'; readonly outcome: RouteOutcome }
  | {
      readonly kind: 'found';
      readonly frame: ClientFrame;
      readonly action: Action;
      readonly requestId: string | null;
    };

export interface RouteInput {
  readonly connectionId: ConnectionId;
  /** The frame's text, exactly as received, or the frame {@link Route.prepare} parsed from it. */
  readonly body: string | PreparedFrame;
  /**
   * The sender's user when the transport already knows it (API Gateway's authorizer
   * context); omit it and Route reads the registry when the action needs a user.
   */
  readonly userId?: UserId;
}

/** The one reply to a frame, with what a transport needs to log it. */
export interface RouteOutcome {
  /** The frame to send back (with the frame's `requestId`, when it had one, in `payload`). */
  readonly reply: ServerFrame;
  /** `reply`, serialised. */
  readonly payload: string;
  /** The action the frame named, or `null` when the frame did not parse. */
  readonly action: string | null;
  /** The code of an error reply, or `null`. */
  readonly code: ClientErrorCode | null;
  /** The fault behind an `INTERNAL` reply, for the transport's log (never sent to the client). */
  readonly fault: unknown;
  /**
   * The authorization the frame granted (an `authorize` that succeeded), or `null`: the
   * transport learns the socket's user and its expiry here, not from the reply frame.
   */
  readonly authorized: Authorization | null;
}

/**
 * Routes a client frame to its {@link Action} by the `action` field, and answers with
 * exactly one frame, which echoes the frame's `requestId` when it has one (a string of 1 to 64
 * characters; any other `requestId` is `MALFORMED_FRAME`), error frames included, so that a
 * client can pair replies with requests however the transport orders them. Never throws: malformed frames (`MALFORMED_FRAME`), oversized ones
 * (`PAYLOAD_TOO_LARGE`), unknown actions (`UNKNOWN_ACTION`), an anonymous sender of an
 * action that needs a user (`UNAUTHORIZED`) and faults (`INTERNAL`) are all answered with an
 * error frame, and the socket stays usable.
 */
export class Route {
  private readonly actions: ReadonlyMap<string, Action>;

  constructor(
    private readonly repository: ConnectionRepository,
    actions: readonly Action[],
  ) {
    const table = new Map<string, Action>();
    for (const action of actions) {
      if (table.has(action.name)) throw new Error(`action '${action.name}' is registered twice`);
      table.set(action.name, action);
    }
    this.actions = table;
  }

  /** The names of the registered actions. */
  get actionNames(): readonly string[] {
    return [...this.actions.keys()];
  }

  /**
   * Parses a frame's text once and finds its action: pass the result as `body` to
   * `executeNow`, then, when it returns `null`, to `execute`. Never throws; the answer to a
   * frame that has no action to run (malformed, bad `requestId`, unknown action) is part of it.
   */
  prepare(body: string): PreparedFrame {
    const parsed = parseClientFrame(body);
    if (!parsed.ok) {
      return { kind: 'answered', outcome: answer(errorFrame(parsed.error.code, parsed.error.message), null) };
    }
    const frame = parsed.value;
    const requestId = requestIdOf(frame);
    if (!requestId.ok) {
      const refusal = errorFrame(requestId.error.code, requestId.error.message);
      return { kind: 'answered', outcome: answer(refusal, frame.action) };
    }
    const action = this.actions.get(frame.action);
    if (action === undefined) {
      const message = `action '${describe(frame.action)}' is not implemented`;
      const refusal = errorFrame('UNKNOWN_ACTION', message);
      return { kind: 'answered', outcome: answer(refusal, frame.action, null, requestId.value) };
    }
    return { kind: 'found', frame, action, requestId: requestId.value };
  }

  async execute(input: RouteInput): Promise<RouteOutcome> {
    const found = this.found(input);
    if (found.kind === 'answered') return found.outcome;
    const { frame, action, requestId } = found;
    try {
      const userId = await this.resolveUser(input, action);
      if (userId === null && !action.allowAnonymous) {
        const refusal = errorFrame('UNAUTHORIZED', `authorize before using '${action.name}'`);
        return answer(refusal, action.name, null, requestId);
      }
      const reply = await action.handle(frame, { connectionId: input.connectionId, userId });
      return isAuthorizing(reply)
        ? answer(reply.frame, action.name, null, requestId, reply.authorized)
        : answer(reply, action.name, null, requestId);
    } catch (fault) {
      return internal(action.name, fault, requestId);
    }
  }

  /**
   * The outcome `execute` would give, at once, when the frame needs no I/O: it is malformed or
   * names no action, or its action answers at once (`handleNow`) and needs no registry read
   * for the sender. Otherwise `null`: call `execute`. A transport uses it to answer `ping`
   * without a promise per frame; given a {@link PreparedFrame}, it does not parse again.
   */
  executeNow(input: RouteInput): RouteOutcome | null {
    const found = this.found(input);
    if (found.kind === 'answered') return found.outcome;
    const { frame, action, requestId } = found;
    if (action.handleNow === undefined) return null;
    if (input.userId === undefined && !action.allowAnonymous) return null;
    try {
      const context = { connectionId: input.connectionId, userId: input.userId ?? null };
      return answer(action.handleNow(frame, context), action.name, null, requestId);
    } catch (fault) {
      return internal(action.name, fault, requestId);
    }
  }

  private found(input: RouteInput): PreparedFrame {
    return typeof input.body === 'string' ? this.prepare(input.body) : input.body;
  }

  private async resolveUser(input: RouteInput, action: Action): Promise<UserId | null> {
    if (input.userId !== undefined) return input.userId;
    // Actions open to anonymous sockets don't need the user: skip the registry read.
    if (action.allowAnonymous) return null;
    const connection = await this.repository.find(input.connectionId);
    return connection?.userId ?? null;
  }
}

function internal(action: string, fault: unknown, requestId: string | null): RouteOutcome {
  return answer(errorFrame('INTERNAL', 'the server failed to handle this frame'), action, fault, requestId);
}

function isAuthorizing(reply: ServerFrame | AuthorizingReply): reply is AuthorizingReply {
  return 'frame' in reply && 'authorized' in reply;
}

function answer(
  reply: ServerFrame,
  action: string | null,
  fault: unknown = null,
  requestId: string | null = null,
  authorized: Authorization | null = null,
): RouteOutcome {
  const payload = serializeFrame(requestId === null ? reply : { ...reply, requestId });
  if (exceedsUtf8Bytes(payload, MAX_PAYLOAD_BYTES)) {
    // The authorization stands (the registry has it) even when its reply cannot be sent.
    const refusal = errorFrame('PAYLOAD_TOO_LARGE', 'the reply would exceed the frame limit');
    return answer(refusal, action, fault, requestId, authorized);
  }
  const code = reply.type === 'error' ? reply.code : null;
  return { reply, payload, action, code, fault, authorized };
}

/** Quotes a client-chosen action name safely and briefly in an error message. */
function describe(action: string): string {
  return action.length > 64 ? `${action.slice(0, 64)}…` : action;
}
