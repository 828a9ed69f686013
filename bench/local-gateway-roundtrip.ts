// Round trips per second through the local gateway (route selection, event building, an
// in-process two-way handler, the route response) against a raw `ws` echo server, in the same
// run and on the same machine. Each of CLIENTS clients sends one message and waits for the
// reply before sending the next; the two servers alternate for ROUNDS rounds.
//
//   pnpm bench:gateway            (or: npx tsx bench/local-gateway-roundtrip.ts [seconds] [clients])
import { availableParallelism } from 'node:os';
import type { AddressInfo } from 'node:net';
import { startLocalGateway } from '@pushline/local';
import { WebSocket, WebSocketServer } from 'ws';

const SECONDS = Number(process.argv[2] ?? 5);
const CLIENTS = Number(process.argv[3] ?? 8);
const ROUNDS = 2;
const MESSAGE = '{"action":"echo","data":{"n":42,"text":"hello"}}';

interface Target {
  readonly name: string;
  readonly url: string;
  close(): Promise<void>;
}

async function rawEcho(): Promise<Target> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  server.on('connection', (socket) => {
    socket.on('message', (data, isBinary) => {
      socket.send(data, { binary: isBinary });
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    name: 'raw ws echo',
    url: `ws://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => {
          resolve();
        });
      }),
  };
}

async function gateway(): Promise<Target> {
  const running = await startLocalGateway({
    log: () => undefined,
    routes: {
      echo: {
        handler: (event) => Promise.resolve({ statusCode: 200, body: event.requestContext.connectionId }),
        twoWay: true,
      },
    },
  });
  return { name: 'local gateway', url: running.url, close: () => running.close() };
}

/** Runs CLIENTS closed-loop clients for `seconds` and returns completed round trips per second. */
async function measure(url: string, seconds: number): Promise<number> {
  const sockets = await Promise.all(
    Array.from(
      { length: CLIENTS },
      () =>
        new Promise<WebSocket>((resolve, reject) => {
          const socket = new WebSocket(url, { perMessageDeflate: false });
          socket.once('open', () => {
            resolve(socket);
          });
          socket.once('error', reject);
        }),
    ),
  );
  let count = 0;
  let running = true;
  const loops = sockets.map(
    (socket) =>
      new Promise<void>((resolve) => {
        socket.on('message', () => {
          count += 1;
          if (running) socket.send(MESSAGE);
          else resolve();
        });
        socket.send(MESSAGE);
      }),
  );
  const started = process.hrtime.bigint();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  running = false;
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const done = count;
  await Promise.all(loops);
  for (const socket of sockets) socket.close();
  return done / elapsed;
}

async function main(): Promise<void> {
  const targets = [await rawEcho(), await gateway()];
  const results = new Map<string, number[]>();
  try {
    for (const target of targets) await measure(target.url, 1); // warm-up (JIT, sockets)
    for (let round = 0; round < ROUNDS; round++) {
      for (const target of targets) {
        const rate = await measure(target.url, SECONDS);
        results.set(target.name, [...(results.get(target.name) ?? []), rate]);
        console.log(
          `round ${round + 1}  ${target.name.padEnd(14)} ${rate.toFixed(0).padStart(8)} round trips/s`,
        );
      }
    }
  } finally {
    for (const target of targets) await target.close();
  }
  const mean = (name: string): number => {
    const rates = results.get(name) ?? [];
    return rates.reduce((a, b) => a + b, 0) / rates.length;
  };
  const raw = mean('raw ws echo');
  const local = mean('local gateway');
  console.log(
    JSON.stringify({
      date: new Date().toISOString(),
      node: process.version,
      cpus: availableParallelism(),
      clients: CLIENTS,
      seconds: SECONDS,
      rounds: ROUNDS,
      rawRoundTripsPerSecond: Math.round(raw),
      gatewayRoundTripsPerSecond: Math.round(local),
      ratio: Number((local / raw).toFixed(2)),
      target: 0.5,
    }),
  );
}

await main();
