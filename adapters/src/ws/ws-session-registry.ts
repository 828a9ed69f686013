import type { ConnectionId } from '@pushline/core';
import type { WebSocket } from 'ws';

/**
 * What {@link WsConnectionPusher} needs of one open socket. A transport's own session type
 * extends it with the rest of the socket's state (its user, timers, rate limit…), so that the
 * state of a socket lives in one object.
 */
export interface WsSession {
  readonly connectionId: ConnectionId;
  readonly socket: WebSocket;
  /** Epoch ms. */
  readonly connectedAt: number;
  readonly sourceIp: string | null;
  /** Epoch ms of the client's last frame; the transport updates it. */
  lastActiveAt: number;
}

/**
 * The sockets of a `ws` server in this process, by connection id and by socket: the one
 * in-process record of who is connected, read by the pusher, the transport's listeners and its
 * heartbeat. (The `ConnectionRepository` stays the durable record of connections.)
 *
 * A session is {@link add}ed when its socket opens and {@link remove}d when it closes; nothing
 * else removes it, so a transport's close handling always finds the session it has to end.
 */
export class WsSessionRegistry<S extends WsSession = WsSession> {
  private readonly byId = new Map<ConnectionId, S>();
  // A Map, not a WeakMap: every session is removed at its close anyway, and a WeakMap's
  // ephemerons cost the garbage collector work on every scavenge of a busy server.
  private readonly bySocket = new Map<WebSocket, S>();

  add(session: S): void {
    if (this.byId.has(session.connectionId)) {
      throw new Error(`connection '${session.connectionId}' is registered twice`);
    }
    this.byId.set(session.connectionId, session);
    this.bySocket.set(session.socket, session);
  }

  /** Forgets the session; `false` when it was not (or no longer) registered. */
  remove(session: S): boolean {
    if (this.byId.get(session.connectionId) !== session) return false;
    this.byId.delete(session.connectionId);
    this.bySocket.delete(session.socket);
    return true;
  }

  get(connectionId: ConnectionId): S | undefined {
    return this.byId.get(connectionId);
  }

  /** The session of a socket (`ws` calls shared listeners with the socket as `this`). */
  ofSocket(socket: WebSocket): S | undefined {
    return this.bySocket.get(socket);
  }

  get size(): number {
    return this.byId.size;
  }

  /** Every registered session, in the order they were added. */
  sessions(): IterableIterator<S> {
    return this.byId.values();
  }
}
