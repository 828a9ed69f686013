// Fuzzing the standalone server over real sockets on 127.0.0.1: generated client messages
// (text of every shape, binary, huge, fragmented into continuation frames with control frames
// between them, invalid UTF-8) each get the outcome docs/protocol.md documents: the one reply
// frame with its exact code, or the documented close code (1007, 1009). The server never
// crashes, and a good ping sent right behind the bad message on the same socket is answered.
// Sockets are reused until a case closes one. Counts: bounded in `pnpm test`, 100,000 cases
// in `pnpm test:soak` (test/support/soak.ts).
import { once } from 'node:events';
import { rawDataText } from '@pushline/adapters/ws';
import { loadConfig, type PushlineServer, startServer } from '@pushline/server';
import fc from 'fast-check';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientTextArbitrary, VALID_TOKEN } from '../support/core-arbitraries.js';
import {
  type Comparable,
  comparable,
  documentedReply,
  errorReply,
  FRAME_LIMIT,
} from '../support/protocol-oracle.js';
import { SOAK, soakCount, soakTimeout } from '../support/soak.js';

const CASES = soakCount(1_500, 100_000);
const TIMEOUT_MS = soakTimeout(30_000, 1_800_000);
/** How long one reply or close may take before the case fails (a lost frame). */
const WAIT_MS = 10_000;

/** docs/protocol.md: the standalone server closes a message over 1 MiB with 1009. */
const MESSAGE_LIMIT = 1_048_576;
const FUZZ_USER = 'fuzz-user';
/** Tokens live 15 minutes (dev mode); a fresh one is fetched well before that. */
const TOKEN_REFRESH_MS = 5 * 60_000;

/** What the client sends as one message: text (its token placeholder filled in at send time) or bytes. */
type Payload =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'bytes'; readonly binary: boolean; readonly bytes: Uint8Array };

/** One generated case: a message, cut into fragments at `cuts`, with pings between fragments or not. */
interface WireInput {
  readonly payload: Payload;
  readonly cuts: readonly number[];
  readonly controlFrames: boolean;
}

/** What docs/protocol.md says happens to a message: one reply, or the socket closed with a code. */
type Documented = { readonly close: number } | { readonly reply: Comparable };

const SIZE_CHARACTERS = ['a', 'é', '€', '\ud83d\ude00', '\\"'];

/** Text over the frame limit, up to and past the 1 MiB message limit, built with `repeat`. */
const oversizedText = fc
  .record({
    bytes: fc.oneof(
      fc.integer({ min: FRAME_LIMIT + 1, max: MESSAGE_LIMIT }),
      fc.integer({ min: MESSAGE_LIMIT - 4, max: MESSAGE_LIMIT + 4 }),
      fc.integer({ min: MESSAGE_LIMIT + 1, max: MESSAGE_LIMIT + 70_000 }),
    ),
    character: fc.constantFrom(...SIZE_CHARACTERS),
    shape: fc.constantFrom('ping', 'nope', 'garbage'),
  })
  .map(({ bytes, character, shape }) => {
    const head = shape === 'garbage' ? '' : `{"action":"${shape}","name":"`;
    const tail = shape === 'garbage' ? '' : '"}';
    const count = Math.max(0, Math.floor((bytes - head.length - tail.length) / Buffer.byteLength(character)));
    return `${head}${character.repeat(count)}${tail}`;
  });

/** Byte sequences that are not UTF-8: stray continuation, overlong, surrogate, past U+10FFFF, truncated. */
const invalidSequence = fc.constantFrom(
  [0xff],
  [0xfe],
  [0x80],
  [0xbf],
  [0xc0, 0x80],
  [0xc1, 0xbf],
  [0xe0, 0x80, 0x80],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xc3],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x98],
);

/** Text bytes with a sequence that is not UTF-8 spliced in anywhere, or raw bytes (valid or not). */
const notUtf8 = fc.oneof(
  fc.record({ text: clientTextArbitrary, bad: invalidSequence, at: fc.nat() }).map(({ text, bad, at }) => {
    const bytes = Buffer.from(text);
    const position = at % (bytes.length + 1);
    return Buffer.concat([bytes.subarray(0, position), Buffer.from(bad), bytes.subarray(position)]);
  }),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
);

const payloadArbitrary: fc.Arbitrary<Payload> = fc.oneof(
  { weight: 24, arbitrary: clientTextArbitrary.map((text) => ({ kind: 'text' as const, text })) },
  { weight: 1, arbitrary: oversizedText.map((text) => ({ kind: 'text' as const, text })) },
  {
    weight: 4,
    arbitrary: fc
      .oneof(
        fc.uint8Array({ maxLength: 300 }),
        fc.constant(new TextEncoder().encode('{"action":"ping"}')),
        fc.constant(new Uint8Array(0)),
      )
      .map((bytes) => ({ kind: 'bytes' as const, binary: true, bytes })),
  },
  {
    weight: 1,
    arbitrary: oversizedText.map((text) => ({
      kind: 'bytes' as const,
      binary: true,
      bytes: new TextEncoder().encode(text),
    })),
  },
  { weight: 3, arbitrary: notUtf8.map((bytes) => ({ kind: 'bytes' as const, binary: false, bytes })) },
);

const wireInputArbitrary: fc.Arbitrary<WireInput> = fc.record({
  payload: payloadArbitrary,
  // Cut points are taken modulo the message's length: fragments may be empty, and may split
  // a UTF-8 character between two continuation frames.
  cuts: fc.oneof(
    { weight: 3, arbitrary: fc.constant([]) },
    { weight: 2, arbitrary: fc.array(fc.nat(), { maxLength: 4 }) },
  ),
  controlFrames: fc.boolean(),
});

/** The message's bytes and opcode, with the test's token in place of the placeholder. */
function materialize(payload: Payload, token: string): { binary: boolean; bytes: Buffer } {
  if (payload.kind === 'text')
    return { binary: false, bytes: Buffer.from(payload.text.replaceAll(VALID_TOKEN, token)) };
  return { binary: payload.binary, bytes: Buffer.from(payload.bytes) };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function isUtf8(bytes: Buffer): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** docs/protocol.md, "Client → server", "Error codes" and "Limits and close codes", as code. */
function documentedOutcome(binary: boolean, bytes: Buffer, token: string): Documented {
  if (bytes.length > MESSAGE_LIMIT) return { close: 1009 };
  if (binary) return { reply: errorReply('MALFORMED_FRAME') };
  if (!isUtf8(bytes)) return { close: 1007 };
  const reply = documentedReply(bytes.toString('utf8'), (action, { token: given }) => {
    if (action !== 'authorize') return errorReply('UNKNOWN_ACTION');
    if (typeof given !== 'string' || given.length === 0) return errorReply('MALFORMED_FRAME');
    return given === token ? { type: 'authorized', userId: FUZZ_USER } : errorReply('UNAUTHORIZED');
  });
  return { reply };
}

/** A client socket: unread text frames in arrival order, and its close code once closed. */
class FuzzSocket {
  readonly unread: string[] = [];
  closeCode: number | null = null;
  private wake: (() => void) | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      this.unread.push(isBinary ? '<binary frame>' : rawDataText(data));
      this.wake?.();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      this.wake?.();
    });
    // A write racing the server's close fails here; the close code is what the case checks.
    ws.on('error', () => undefined);
  }

  static async open(url: string): Promise<FuzzSocket> {
    const socket = new FuzzSocket(new WebSocket(url));
    await once(socket.ws, 'open');
    return socket;
  }

  /** Waits until `count` frames are unread or the socket has closed; fails after {@link WAIT_MS}. */
  async settle(count: number): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    while (this.unread.length < count && this.closeCode === null) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out: ${this.unread.length} of ${count} frames, socket open`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  /** Sends `bytes` as one message: one frame, or fragments with pings between them. */
  sendMessage(binary: boolean, bytes: Buffer, cuts: readonly number[], controlFrames: boolean): void {
    const bounds = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
    let start = 0;
    for (const bound of bounds) {
      this.ws.send(bytes.subarray(start, bound), { binary, fin: false });
      if (controlFrames) this.ws.ping();
      start = bound;
    }
    this.ws.send(bytes.subarray(start), { binary, fin: true });
  }
}

let server: PushlineServer;
let socket: FuzzSocket | null = null;
let token = '';
let tokenIssuedAt = 0;
let sequence = 0;
/** Cases per documented outcome, and sockets opened, printed at the end of a soak run. */
const tally = new Map<string, number>();

function count(what: string): void {
  tally.set(what, (tally.get(what) ?? 0) + 1);
}

async function freshToken(): Promise<string> {
  if (Date.now() - tokenIssuedAt < TOKEN_REFRESH_MS) return token;
  const response = await fetch(`${server.httpUrl}/token`, {
    method: 'POST',
    body: JSON.stringify({ userId: FUZZ_USER }),
  });
  expect(response.status).toBe(200);
  token = ((await response.json()) as { token: string }).token;
  tokenIssuedAt = Date.now();
  return token;
}

/** Sends one generated message and a good ping behind it, and checks what comes back. */
async function runCase(input: WireInput): Promise<void> {
  const current = await freshToken();
  if (socket === null) {
    socket = await FuzzSocket.open(server.url);
    count('sockets');
  }
  const open = socket;
  try {
    sequence += 1;
    const good = { type: 'pong', name: `after-${sequence}` };
    const { binary, bytes } = materialize(input.payload, current);
    const documented = documentedOutcome(binary, bytes, current);
    open.sendMessage(binary, bytes, input.cuts, input.controlFrames);
    open.ws.send(JSON.stringify({ action: 'ping', name: good.name }));
    if (input.cuts.length > 0) count('fragmented');
    if ('close' in documented) {
      await open.settle(Number.POSITIVE_INFINITY);
      socket = null;
      expect({ frames: open.unread, close: open.closeCode }).toEqual({ frames: [], close: documented.close });
      count(`close ${documented.close}`);
      return;
    }
    await open.settle(2);
    expect(open.closeCode).toBeNull();
    const [reply, after] = open.unread.splice(0).map((text) => JSON.parse(text) as Record<string, unknown>);
    expect(reply && comparable(reply)).toEqual(documented.reply);
    expect(after).toEqual(good);
    count(String(documented.reply.code ?? documented.reply.type));
  } catch (error) {
    // A failed case leaves the socket in an unknown state: the next one (a shrink) starts afresh.
    open.ws.terminate();
    socket = null;
    throw error;
  }
}

beforeAll(async () => {
  const config = loadConfig({
    PUSHLINE_PORT: '0',
    PUSHLINE_HOST: '127.0.0.1',
    PUSHLINE_TOKEN_SECRET: 'a-fuzz-secret-that-is-long-enough-for-hs256',
    PUSHLINE_API_KEY: 'fuzz-api-key-0123456789',
    // The fuzzer sends as fast as the server answers; the rate limit has its own tests.
    PUSHLINE_RATE_LIMIT: '0',
    // One anonymous socket may live through a whole soak run.
    PUSHLINE_AUTHORIZE_DEADLINE_SECONDS: '3600',
  });
  server = await startServer(config, { logLevel: 'SILENT' });
});

afterAll(async () => {
  socket?.ws.terminate();
  await server.close();
});

describe('standalone server under fuzzing', { timeout: TIMEOUT_MS }, () => {
  it('gives every client message its documented reply or close code, and answers the good ping behind it', async () => {
    const started = performance.now();
    await fc.assert(fc.asyncProperty(wireInputArbitrary, runCase), { numRuns: CASES });
    const seconds = (performance.now() - started) / 1000;
    if (SOAK)
      console.info(`server fuzz: ${CASES} cases in ${seconds.toFixed(1)} s`, Object.fromEntries(tally));

    // Still serving: a new socket is answered, /health is up, and no closed socket is left behind.
    socket?.ws.close();
    socket = null;
    const last = await FuzzSocket.open(server.url);
    last.ws.send('{"action":"ping","name":"last"}');
    await last.settle(1);
    expect(last.unread).toEqual(['{"type":"pong","name":"last"}']);
    const health = await fetch(`${server.httpUrl}/health`);
    expect(health.status).toBe(200);
    last.ws.close();
    await once(last.ws, 'close');
    await expect.poll(() => server.connectionCount(), { timeout: WAIT_MS }).toBe(0);
  });
});
