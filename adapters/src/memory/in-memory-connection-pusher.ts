import {
  type Clock,
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

/** Options of {@link InMemoryConnectionPusher.open}. */
export interface OpenOptions {
  readonly sourceIp?: string;
}

/** Decides whether a push fails with a thrown error (fault injection for tests); return `null` to let it through. */
export type PushFault = (connectionId: ConnectionId, payload: string) => Error | null;

interface Socket {
  readonly frames: string[];
  readonly connectedAt: number;
  readonly sourceIp: string | null;
  open: boolean;
}

const systemClock: Clock = { now: () => Date.now() };

/**
 * Sockets in memory: a test double of a transport that records every frame pushed to
 * each connection. Keeps every guarantee of `ConnectionPusher` (128 KiB limit,
 * `CONNECTION_GONE` for a closed or unknown socket).
 */
export class InMemoryConnectionPusher implements ConnectionPusher {
  private readonly sockets = new Map<ConnectionId, Socket>();
  private fault: PushFault | null = null;

  constructor(private readonly clock: Clock = systemClock) {}

  /** Registers a live socket. */
  open(connectionId: ConnectionId, options: OpenOptions = {}): void {
    this.sockets.set(connectionId, {
      frames: [],
      connectedAt: this.clock.now(),
      sourceIp: options.sourceIp ?? null,
      open: true,
    });
  }

  /** The socket goes away from the client's side. */
  close(connectionId: ConnectionId): void {
    const socket = this.sockets.get(connectionId);
    if (socket !== undefined) socket.open = false;
  }

  /** Every frame pushed to the connection, in order. */
  framesOf(connectionId: ConnectionId): readonly string[] {
    return this.sockets.get(connectionId)?.frames ?? [];
  }

  isOpen(connectionId: ConnectionId): boolean {
    return this.sockets.get(connectionId)?.open ?? false;
  }

  /** Makes matching pushes throw until cleared with `null`. */
  injectFault(fault: PushFault | null): void {
    this.fault = fault;
  }

  push(connectionId: ConnectionId, payload: string): Promise<PushOutcome> {
    const socket = this.sockets.get(connectionId);
    if (socket?.open !== true) return Promise.resolve(fail('CONNECTION_GONE', 'no such connection'));
    const size = utf8ByteLength(payload);
    if (size > MAX_PAYLOAD_BYTES) {
      return Promise.resolve(
        fail('PAYLOAD_TOO_LARGE', `payload of ${size} bytes exceeds ${MAX_PAYLOAD_BYTES}`),
      );
    }
    const injected = this.fault?.(connectionId, payload) ?? null;
    if (injected !== null) return Promise.reject(injected);
    socket.frames.push(payload);
    return Promise.resolve(ok(undefined));
  }

  disconnect(connectionId: ConnectionId): Promise<Outcome<void, 'CONNECTION_GONE'>> {
    const socket = this.sockets.get(connectionId);
    if (socket?.open !== true) return Promise.resolve(fail('CONNECTION_GONE', 'no such connection'));
    socket.open = false;
    return Promise.resolve(ok(undefined));
  }

  info(connectionId: ConnectionId): Promise<Outcome<ConnectionInfo, 'CONNECTION_GONE'>> {
    const socket = this.sockets.get(connectionId);
    if (socket?.open !== true) return Promise.resolve(fail('CONNECTION_GONE', 'no such connection'));
    const lastActiveAt = Math.max(socket.connectedAt, this.clock.now());
    return Promise.resolve(ok({ connectedAt: socket.connectedAt, lastActiveAt, sourceIp: socket.sourceIp }));
  }
}
