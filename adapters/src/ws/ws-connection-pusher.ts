import {
  type ConnectionId,
  type ConnectionInfo,
  type ConnectionPusher,
  fail,
  MAX_PAYLOAD_BYTES,
  ok,
  type Outcome,
  type PushOutcome,
  utf8ByteLength,
} from '@pushline/core';
import { WebSocket } from 'ws';
import type { WsSessionRegistry } from './ws-session-registry.js';

/** Options of {@link WsConnectionPusher}. */
export interface WsConnectionPusherOptions {
  /**
   * A socket whose unsent data exceeds this many bytes is a consumer that cannot keep up:
   * it is terminated and reported gone instead of buffering without bound. Default 8 MiB.
   */
  readonly maxBufferedBytes?: number;
  /** Close code sent by `disconnect`; default 1000. */
  readonly closeCode?: number;
}

/**
 * Pushes to sockets of a `ws` server in the same process: the standalone transport's
 * `ConnectionPusher`. It reads the transport's {@link WsSessionRegistry} (the transport adds a
 * session when its socket opens and removes it when it closes) and keeps no socket state of
 * its own.
 *
 * Keeps every guarantee of `ConnectionPusher`: a frame over 128 KiB is `PAYLOAD_TOO_LARGE`
 * and a socket that is not open is `CONNECTION_GONE`, with nothing sent in both cases.
 */
export class WsConnectionPusher implements ConnectionPusher {
  private readonly maxBufferedBytes: number;
  private readonly closeCode: number;

  constructor(
    private readonly sockets: WsSessionRegistry,
    options: WsConnectionPusherOptions = {},
  ) {
    this.maxBufferedBytes = options.maxBufferedBytes ?? 8 * 1024 * 1024;
    this.closeCode = options.closeCode ?? 1000;
  }

  push(connectionId: ConnectionId, payload: string): Promise<PushOutcome> {
    const attached = this.sockets.get(connectionId);
    if (attached?.socket.readyState !== WebSocket.OPEN) {
      return Promise.resolve(fail('CONNECTION_GONE', 'the socket is not open'));
    }
    const size = utf8ByteLength(payload);
    if (size > MAX_PAYLOAD_BYTES) {
      return Promise.resolve(
        fail('PAYLOAD_TOO_LARGE', `payload of ${size} bytes exceeds ${MAX_PAYLOAD_BYTES}`),
      );
    }
    const { socket } = attached;
    if (socket.bufferedAmount + size > this.maxBufferedBytes) {
      // A client that stops reading must not grow the server's memory without bound. Its
      // session stays until the socket's close, which the transport handles (and removes it).
      socket.terminate();
      return Promise.resolve(
        fail('CONNECTION_GONE', 'the socket was too slow to read its frames and was dropped'),
      );
    }
    return new Promise((resolve) => {
      socket.send(payload, (error) => {
        // ws passes null on success despite its typings; an Error means the socket closed
        // while the frame was queued: it is gone.
        resolve(error instanceof Error ? fail('CONNECTION_GONE', error.message) : ok(undefined));
      });
    });
  }

  disconnect(connectionId: ConnectionId): Promise<Outcome<void, 'CONNECTION_GONE'>> {
    return this.close(connectionId, this.closeCode, '');
  }

  /** Closes the socket with a given close code and reason (at most 123 bytes). */
  close(connectionId: ConnectionId, code: number, reason: string): Promise<Outcome<void, 'CONNECTION_GONE'>> {
    const attached = this.sockets.get(connectionId);
    if (attached?.socket.readyState !== WebSocket.OPEN) {
      return Promise.resolve(fail('CONNECTION_GONE', 'the socket is not open'));
    }
    attached.socket.close(code, reason);
    return Promise.resolve(ok(undefined));
  }

  info(connectionId: ConnectionId): Promise<Outcome<ConnectionInfo, 'CONNECTION_GONE'>> {
    const attached = this.sockets.get(connectionId);
    if (attached?.socket.readyState !== WebSocket.OPEN) {
      return Promise.resolve(fail('CONNECTION_GONE', 'the socket is not open'));
    }
    const { connectedAt, lastActiveAt, sourceIp } = attached;
    return Promise.resolve(ok({ connectedAt, lastActiveAt, sourceIp }));
  }
}
