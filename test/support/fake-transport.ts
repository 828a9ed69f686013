// A test transport and a manual clock for PushlineClient: the test opens, answers and closes each
// socket itself, and moves time by hand.
import type { Clock, Transport, TransportSink } from '@pushline/client';

/** One socket the client opened through the fake transport. */
export class FakeSocket {
  readonly sent: Record<string, unknown>[] = [];
  closedByClient = false;

  constructor(
    readonly url: string,
    private readonly sink: TransportSink,
  ) {}

  open(): void {
    this.sink.opened();
  }

  /** Delivers a server frame (an object is sent as JSON). */
  deliver(frame: unknown): void {
    this.sink.message(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The server side closes it (or the handshake fails: `refused` for a 401). */
  close(refused = false): void {
    this.sink.closed(refused);
  }

  /** The last frame the client sent with this action. */
  last(action: string): Record<string, unknown> | undefined {
    return this.sent.filter((frame) => frame.action === action).at(-1);
  }
}

export class FakeTransport implements Transport {
  readonly sockets: FakeSocket[] = [];

  open(url: string, sink: TransportSink): { send(data: string): void; close(): void } {
    const socket = new FakeSocket(url, sink);
    this.sockets.push(socket);
    return {
      send: (data) => socket.sent.push(JSON.parse(data) as Record<string, unknown>),
      close: () => {
        socket.closedByClient = true;
      },
    };
  }

  get last(): FakeSocket {
    const socket = this.sockets.at(-1);
    if (!socket) throw new Error('the client opened no socket');
    return socket;
  }
}

/** Time that moves only when the test says so. */
export class ManualClock implements Clock {
  time = 1_000_000;
  private timers = new Map<number, { at: number; callback: () => void }>();
  private ids = 0;

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = ++this.ids;
    this.timers.set(id, { at: this.time + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Moves time forward, running every timer that falls due, in order. */
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      let next: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.timers)
        if (entry[1].at <= until && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = Math.max(this.time, next[1].at);
      next[1].callback();
    }
    this.time = until;
  }
}

/** Lets queued promise callbacks run (the client starts, and calls token(), in microtasks). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
