import { rawDataText } from '@pushline/adapters/ws';
import { once } from 'node:events';
import WebSocket, { type ClientOptions } from 'ws';

/** A `ws` client for tests: collects every text frame and lets a test await the next ones. */
export class TestClient {
  readonly frames: string[] = [];
  private readonly waiters: { count: number; resolve: () => void }[] = [];
  closeCode: number | null = null;
  closeReason = '';
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      this.frames.push(isBinary ? `<binary ${rawDataText(data)}>` : rawDataText(data));
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        resolve({ code, reason: this.closeReason });
      });
    });
  }

  /** Opens a socket and waits for `open`; rejects with the handshake error. */
  static async connect(url: string, options: ClientOptions = {}): Promise<TestClient> {
    const socket = new WebSocket(url, options);
    const client = new TestClient(socket);
    await once(socket, 'open');
    return client;
  }

  /** Attempts a handshake that is expected to fail; resolves with the HTTP status. */
  static async refusedStatus(url: string): Promise<number> {
    const socket = new WebSocket(url);
    return new Promise((resolve, reject) => {
      socket.on('unexpected-response', (_request, response) => {
        resolve(response.statusCode ?? 0);
        socket.terminate();
      });
      socket.on('open', () => {
        socket.close();
        reject(new Error('the handshake succeeded'));
      });
      socket.on('error', () => undefined);
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Waits until `count` frames in all have arrived (default: one more than now). */
  async waitForFrames(count = this.frames.length + 1, timeoutMs = 5000): Promise<string[]> {
    if (this.frames.length >= count) return this.frames;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(
            `timed out waiting for ${count} frames, got ${this.frames.length}: ${this.frames.join(' | ')}`,
          ),
        );
      }, timeoutMs);
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
    return this.frames;
  }

  /** Sends a frame and returns the parsed reply. */
  async request(frame: unknown): Promise<Record<string, unknown>> {
    const count = this.frames.length + 1;
    this.send(frame);
    const frames = await this.waitForFrames(count);
    return JSON.parse(frames[count - 1]!) as Record<string, unknown>;
  }

  /** The frames received so far, parsed. */
  parsed(): Record<string, unknown>[] {
    return this.frames.map((frame) => JSON.parse(frame) as Record<string, unknown>);
  }

  /** Closes the socket and waits for the close to finish. */
  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close();
    await this.closed;
  }

  private wake(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i]!;
      if (this.frames.length >= waiter.count) {
        this.waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }
}

/** Polls `check` until it is true, or fails after `timeoutMs`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
