/** Where a transport reports what its socket does. */
export interface TransportSink {
  /** The socket is open. */
  opened(): void;
  /** A text frame arrived (binary frames are not part of the protocol and are dropped). */
  message(data: string): void;
  /** The socket closed or failed to open; `refused` when the handshake was answered 401 or 403. */
  closed(refused: boolean): void;
}

/** One socket of a transport. */
export interface TransportSocket {
  /** Sends a text frame; does nothing when the socket is not open. */
  send(data: string): void;
  /** Closes the socket (code 1000); the sink hears nothing more from it. */
  close(): void;
}

/** Opens sockets: the browser's `WebSocket`, `ws` on Node, or a test fake. */
export interface Transport {
  open(url: string, sink: TransportSink): TransportSocket;
}

/**
 * The part of the standard `WebSocket` the client uses (browsers, Node 22's global, `ws`). The
 * handlers take `never` so that every implementation's own event types fit; the adapter reads
 * `data` of a message event and `message` of an error event (`ws` says "Unexpected server response: 401" there).
 */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  send(data: string): void;
  close(code?: number): void;
}

/** A `WebSocket` constructor: `globalThis.WebSocket` or `ws`'s default export. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/**
 * The transport over a standard `WebSocket` constructor. `ws` reports a refused handshake in its
 * error event ("Unexpected server response: 401"); browsers do not say why a handshake failed.
 */
export function webSocketTransport(webSocket: WebSocketConstructor): Transport {
  return {
    open(url, sink) {
      const socket = new webSocket(url);
      let refused = false;
      let done = false;
      socket.onopen = () => {
        if (!done) sink.opened();
      };
      socket.onmessage = (event: never) => {
        const { data } = event as { data: unknown };
        if (!done && typeof data === 'string') sink.message(data);
      };
      socket.onerror = (event: never) => {
        refused ||= / 40[13]\b/.test(String((event as { message?: unknown }).message));
      };
      socket.onclose = () => {
        if (!done) {
          done = true;
          sink.closed(refused);
        }
      };
      return {
        send(data) {
          if (socket.readyState === 1) socket.send(data);
        },
        close() {
          done = true;
          try {
            socket.close(1000);
          } catch {
            // Closing a socket that is still connecting may throw in some implementations; it is gone either way.
          }
        },
      };
    },
  };
}
