// The core wired to the in-memory adapters, as one object, for unit and property tests.
import {
  type Action,
  type ActionContext,
  Authorize,
  Connect,
  type ConnectionPusher,
  type ConnectionRepository,
  Disconnect,
  EnforceAuthorizeDeadline,
  errorFrame,
  type MessageQueue,
  type NotifyConnectionMessage,
  type NotifyConnectionOutcome,
  NotifyConnection,
  type NotifyUserMessage,
  NotifyUser,
  Route,
  type SendOptions,
  type ServerFrame,
  type TokenVerifier,
  defaultActions,
} from '@pushline/core';
import {
  InMemoryConnectionPusher,
  InMemoryConnectionRepository,
  InMemoryMessageQueue,
  InMemoryNotificationStream,
  InMemoryTokenVerifier,
  ManualClock,
} from '@pushline/adapters/memory';

/** Options of {@link createCore}. */
export interface CoreOptions {
  readonly allowAnonymous?: boolean;
  readonly pageSize?: number;
  readonly ttlMs?: number;
  readonly authorizeDeadlineMs?: number;
  /**
   * NotifyConnection's connect grace; default 0 here (the manual clock does not move, so
   * every record would be "still connecting"). Tests of the grace set it.
   */
  readonly connectGraceMs?: number;
  /** Actions registered after `ping` and `authorize`. */
  readonly actions?: readonly Action[];
  /** Start time of the manual clock. */
  readonly now?: number;
  /**
   * Wraps each port the use cases see (not the adapters the test inspects), e.g. to let a
   * fast-check scheduler decide when each call runs.
   */
  readonly interpose?: <T extends object>(name: string, port: T) => T;
}

/**
 * A message queue that records the size of every call before handing it to the in-memory
 * queue, so tests can check how NotifyUser batches.
 */
class RecordingMessageQueue implements MessageQueue {
  readonly notifyConnectionBatches: (readonly NotifyConnectionMessage[])[] = [];

  constructor(readonly inner: InMemoryMessageQueue) {}

  sendNotifyUser(messages: readonly NotifyUserMessage[], options?: SendOptions): Promise<void> {
    return this.inner.sendNotifyUser(messages, options);
  }

  sendNotifyConnection(messages: readonly NotifyConnectionMessage[], options?: SendOptions): Promise<void> {
    this.notifyConnectionBatches.push([...messages]);
    return this.inner.sendNotifyConnection(messages, options);
  }
}

/** An action only a user may call: answers `authorized` with the sender's user. */
export class WhoAmIAction implements Action {
  readonly name = 'whoami';
  readonly allowAnonymous = false;
  calls = 0;

  handle(_frame: unknown, context: ActionContext): Promise<ServerFrame> {
    this.calls += 1;
    return Promise.resolve(
      context.userId === null
        ? errorFrame('INTERNAL', 'whoami reached without a user')
        : { type: 'authorized', userId: context.userId },
    );
  }
}

/** An action that fails with an infrastructure fault. */
export class ExplodeAction implements Action {
  readonly name = 'explode';
  readonly allowAnonymous = true;

  handle(): Promise<ServerFrame> {
    return Promise.reject(new Error('the database is on fire'));
  }
}

export function createCore(options: CoreOptions = {}) {
  const clock = new ManualClock(options.now ?? 1_000_000);
  const repository = new InMemoryConnectionRepository();
  const messageQueue = new InMemoryMessageQueue();
  const queue = new RecordingMessageQueue(messageQueue);
  const pusher = new InMemoryConnectionPusher(clock);
  const verifier = new InMemoryTokenVerifier({ clock });
  const interpose = options.interpose ?? (<T>(_: string, port: T): T => port);
  const ports = {
    repository: interpose<ConnectionRepository>('repository', repository),
    queue: interpose<MessageQueue>('queue', queue),
    pusher: interpose<ConnectionPusher>('pusher', pusher),
    verifier: interpose<TokenVerifier>('verifier', verifier),
  };
  const authorize = new Authorize(ports.repository, ports.verifier);
  const connect = new Connect(ports.repository, ports.verifier, clock, {
    allowAnonymous: options.allowAnonymous ?? true,
    ...(options.ttlMs === undefined ? {} : { ttlMs: options.ttlMs }),
    ...(options.authorizeDeadlineMs === undefined
      ? {}
      : { authorizeDeadlineMs: options.authorizeDeadlineMs }),
  });
  const route = new Route(ports.repository, [...defaultActions(authorize), ...(options.actions ?? [])]);
  const stream = new InMemoryNotificationStream({ clock, epoch: 'E' });
  const notifyUser = new NotifyUser(
    ports.repository,
    ports.queue,
    clock,
    stream,
    options.pageSize === undefined ? {} : { pageSize: options.pageSize },
  );
  const notifyConnection = new NotifyConnection(ports.pusher, ports.repository, clock, {
    connectGraceMs: options.connectGraceMs ?? 0,
  });
  const disconnect = new Disconnect(ports.repository);
  const enforceAuthorizeDeadline = new EnforceAuthorizeDeadline(ports.repository, ports.pusher);

  /** Hands every waiting NotifyConnection message to NotifyConnection, in order. */
  async function drainNotifyConnection(): Promise<
    { readonly message: NotifyConnectionMessage; readonly outcome: NotifyConnectionOutcome }[]
  > {
    const results = [];
    for (const [index, message] of messageQueue.notifyConnection.take().entries()) {
      const outcome = await notifyConnection.execute({ message, messageId: `nc-${index}` });
      results.push({ message, outcome });
    }
    return results;
  }

  return {
    clock,
    repository,
    messageQueue,
    queue,
    pusher,
    verifier,
    authorize,
    connect,
    route,
    stream,
    notifyUser,
    notifyConnection,
    disconnect,
    enforceAuthorizeDeadline,
    drainNotifyConnection,
  };
}

export type Core = ReturnType<typeof createCore>;

/** The connection ids of a user, walking every page of the registry. */
export async function connectionIdsOf(core: Core, userId: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await core.repository.findByUser(userId, { cursor, limit: 7 });
    ids.push(...page.connections.map((connection) => connection.connectionId));
    cursor = page.cursor;
  } while (cursor !== null);
  return ids.sort();
}

/** Every notification frame pushed to a socket, parsed; a `closing` frame is not one, and is skipped. */
export function notificationsOf(core: Core, connectionId: string): { id: string; data: unknown }[] {
  return core.pusher.framesOf(connectionId).flatMap((payload) => {
    const frame = JSON.parse(payload) as { type: string; id: string; data: unknown };
    if (frame.type === 'closing') return [];
    if (frame.type !== 'notification') throw new Error(`unexpected frame ${payload}`);
    return [{ id: frame.id, data: frame.data }];
  });
}

/** A token expiry far beyond any test's clock, for sockets an authorizer admitted. */
export const LATER = 10 ** 13;
