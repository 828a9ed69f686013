// Fuzzing the local gateway: no client input (text messages, raw bytes after the handshake)
// and no HTTP request to @connections (any method, path, id, headers and body) may crash it
// or leave it unable to serve the next client. Runs are bounded so the file takes seconds in
// `pnpm test`; `pnpm test:soak` runs the full counts (test/support/soak.ts).
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect, type Socket } from 'node:net';
import type { LocalGateway, LocalGatewayLogEntry } from '@pushline/local';
import { startLocalGateway } from '@pushline/local';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type TestClient, whoami, whoamiRoute, within } from '../../support/local-gateway.js';
import { soakCount, soakTimeout } from '../../support/soak.js';

/** Text messages on one open socket: about 0.15 ms a run. */
const RUNS = soakCount(60, 100_000);
/**
 * Raw bytes, one TCP connection a run, held until the gateway closes it or for 300 ms: about
 * 36 ms a run, mostly waiting on the connections the gateway keeps open, so 100,000 would
 * take an hour.
 */
const FRAME_RUNS = soakCount(60, 5_000);
/** HTTP exchanges are cheap (about 0.5 ms), and the space (method × path × id × body) is larger. */
const HTTP_RUNS = soakCount(200, 100_000);
const TIMEOUT_MS = soakTimeout(60_000, 900_000);

/** Gateway failures that mean a bug of ours rather than a refusal of bad input. */
const UNEXPECTED = ['@connections request failed', 'admission failed'];

let gateway: LocalGateway;
const entries: LocalGatewayLogEntry[] = [];

beforeAll(async () => {
  gateway = await startLocalGateway({
    log: (entry) => entries.push(entry),
    routes: {
      whoami: whoamiRoute,
      ping: { handler: () => Promise.resolve({ statusCode: 200, body: '{"type":"pong"}' }), twoWay: true },
      $default: {
        handler: (event) => Promise.resolve({ statusCode: 200, body: event.body.slice(0, 100) }),
        twoWay: true,
      },
    },
  });
});

afterAll(async () => {
  await gateway.close();
});

/** The gateway still accepts a client and routes its message. */
async function assertHealthy(): Promise<void> {
  const client = await connect(gateway);
  expect(await whoami(client)).toMatch(/^[A-Za-z0-9_-]{15}=$/);
  await client.end();
  expect(entries.filter((entry) => UNEXPECTED.includes(entry.message))).toEqual([]);
}

/** Opens a TCP connection, sends `bytes`, and resolves when the peer closes or after `ms`. */
function exchange(bytes: Buffer, ms = 2000): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket: Socket = tcpConnect(gateway.port, '127.0.0.1');
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks));
    };
    const timer = setTimeout(done, ms);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', done);
    socket.on('close', done);
    socket.on('connect', () => {
      socket.write(bytes);
    });
  });
}

function handshake(): string {
  return (
    `GET /local HTTP/1.1\r\nHost: 127.0.0.1:${gateway.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`
  );
}

/** One frame with arbitrary header bits, a declared length that may lie, masked or not. */
const frame = fc
  .record({
    fin: fc.boolean(),
    rsv: fc.integer({ min: 0, max: 7 }),
    opcode: fc.integer({ min: 0, max: 15 }),
    masked: fc.boolean(),
    payload: fc.uint8Array({ maxLength: 300 }),
    lengthForm: fc.constantFrom('7', '16', '64'),
    lie: fc.option(fc.integer({ min: 0, max: 70_000 }), { nil: undefined }),
  })
  .map(({ fin, rsv, opcode, masked, payload, lengthForm, lie }) => {
    const length = lie ?? payload.length;
    const head = [((fin ? 1 : 0) << 7) | (rsv << 4) | opcode];
    const maskBit = masked ? 0x80 : 0;
    if (lengthForm === '7' && length < 126) head.push(maskBit | length);
    else if (lengthForm !== '64' && length < 65536) head.push(maskBit | 126, length >> 8, length & 0xff);
    else
      head.push(
        maskBit | 127,
        0,
        0,
        0,
        0,
        (length >>> 24) & 0xff,
        (length >> 16) & 0xff,
        (length >> 8) & 0xff,
        length & 0xff,
      );
    const mask = masked ? [...randomBytes(4)] : [];
    const body = Buffer.from(payload.map((byte, i) => (masked ? byte ^ (mask[i % 4] ?? 0) : byte)));
    return Buffer.concat([Buffer.from([...head, ...mask]), body]);
  });

/** Text a client might send: any string, any JSON, and objects whose action probes the route table. */
const message = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.json({ maxDepth: 3 }),
  fc
    .record({
      action: fc.oneof(
        fc.constantFrom(
          '__proto__',
          'constructor',
          'toString',
          'hasOwnProperty',
          '$connect',
          '$disconnect',
          '$default',
          'ping',
          'whoami',
          '',
        ),
        fc.string({ maxLength: 20 }),
        fc.jsonValue({ maxDepth: 2 }),
      ),
      rest: fc.jsonValue({ maxDepth: 2 }),
    })
    .map((value) => JSON.stringify(value)),
);

describe('local gateway fuzzing', () => {
  it(
    'answers any text message without closing the socket, and keeps routing',
    async () => {
      let client: TestClient | undefined;
      try {
        client = await connect(gateway);
        const open = client;
        await fc.assert(
          fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 5 }), async (texts) => {
            for (const text of texts) await open.send(text);
            expect(open.isOpen()).toBe(true);
          }),
          { numRuns: RUNS },
        );
        expect(
          await within(
            whoami(open).then(() => open.isOpen()),
            10_000,
            'whoami',
          ),
        ).toBe(true);
      } finally {
        await client?.end();
      }
      await assertHealthy();
    },
    TIMEOUT_MS,
  );

  it(
    'survives arbitrary frames and raw bytes after a valid handshake',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.array(frame, { minLength: 1, maxLength: 4 }).map((frames) => Buffer.concat(frames)),
            fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes)),
          ),
          async (bytes) => {
            await exchange(Buffer.concat([Buffer.from(handshake()), bytes]), 300);
          },
        ),
        { numRuns: FRAME_RUNS },
      );
      await assertHealthy();
    },
    TIMEOUT_MS,
  );

  it(
    'answers any HTTP request to the management endpoint without crashing',
    async () => {
      const live = await connect(gateway);
      const liveId = await whoami(live);
      const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/);
      const method = fc.oneof(
        fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'HEAD', 'OPTIONS'),
        token,
      );
      const idPart = fc.oneof(
        fc.constant(liveId),
        fc.constant(encodeURIComponent(liveId)),
        fc.constant('AAAAAAAAAAAAAAA%3D'),
        fc.stringMatching(/^[A-Za-z0-9%/=+._~-]{0,40}$/),
        fc.string({ unit: 'binary-ascii', maxLength: 20 }).map((s) => encodeURIComponent(s)),
      );
      const path = fc
        .tuple(
          fc.constantFrom(
            '/local/@connections/',
            '/local/%40connections/',
            '/local/%40CONNECTIONS/',
            '/local/',
            '/local',
            '/',
            '/other/@connections/',
            '/local/@connections',
            '*',
          ),
          idPart,
          fc.constantFrom('', '?x=1', '?', '#f'),
        )
        .map(([prefix, id, suffix]) => `${prefix}${id}${suffix}`);
      const header = fc.tuple(token, fc.stringMatching(/^[\x20-\x7e]{0,40}$/));
      const request = fc.record({
        method,
        path,
        headers: fc.array(header, { maxLength: 4 }),
        body: fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.constant(new Uint8Array(131_073))),
        declared: fc.constantFrom('exact', 'none', 'short', 'chunked'),
      });
      try {
        await fc.assert(
          fc.asyncProperty(request, async ({ method: m, path: p, headers, body, declared }) => {
            const lines = [`${m} ${p} HTTP/1.1`, `Host: 127.0.0.1:${gateway.port}`, 'Connection: close'];
            for (const [name, value] of headers) lines.push(`${name}: ${value}`);
            let payload = Buffer.from(body);
            if (declared === 'exact') lines.push(`Content-Length: ${payload.length}`);
            if (declared === 'short') lines.push(`Content-Length: ${Math.floor(payload.length / 2)}`);
            if (declared === 'chunked') {
              lines.push('Transfer-Encoding: chunked');
              payload = Buffer.concat([
                Buffer.from(`${payload.length.toString(16)}\r\n`),
                payload,
                Buffer.from('\r\n0\r\n\r\n'),
              ]);
            }
            const answer = await exchange(
              Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), payload]),
            );
            // Either an HTTP response, or a connection closed on a request Node could not parse.
            const head = answer.subarray(0, 13).toString('latin1');
            expect(answer.length === 0 || /^HTTP\/1\.1 \d{3} $/.test(head)).toBe(true);
          }),
          { numRuns: HTTP_RUNS },
        );
      } finally {
        await live.end();
      }
      await assertHealthy();
    },
    TIMEOUT_MS,
  );
});
