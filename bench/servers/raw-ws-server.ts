// The baseline: a raw `ws` server doing the least a server can. It echoes every message
// (round trips), groups sockets by `?user=` and sends `POST /notify` bodies to a user's
// sockets as notification frames (fan-out), and pings every socket like Pushline does
// (capacity). On the path `/pong` it does the least a server of a JSON protocol can: it parses
// each frame and answers Pushline's pong (`{"type":"pong","name":…}`), nothing checked, so the
// round trips show what parsing and serialising alone cost. Run by bench/run.ts as a child
// process: `raw-ws-server.ts <heartbeatMs>`.
import { rawDataText } from '@pushline/adapters/ws';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { type ChildServer, serveChild } from './child.js';

const API_KEY = 'bench-raw-ws-api-key';

async function start(heartbeatMs: number): Promise<ChildServer> {
  const users = new Map<string, Set<WebSocket>>();
  const alive = new WeakMap<WebSocket, boolean>();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

  const notify = (request: IncomingMessage, response: ServerResponse, text: string): void => {
    if (request.headers.authorization !== `Bearer ${API_KEY}`) {
      response.writeHead(401).end();
      return;
    }
    const body = JSON.parse(text) as { userId: string; data: unknown };
    const id = randomUUID();
    const frame = JSON.stringify({ type: 'notification', id, data: body.data });
    const sockets = users.get(body.userId) ?? new Set();
    for (const socket of sockets) socket.send(frame);
    response.writeHead(202, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ notificationId: id, connections: sockets.size }));
  };

  const http = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method === 'POST' && request.url === '/notify')
        notify(request, response, Buffer.concat(chunks).toString('utf8'));
      else response.writeHead(404).end();
    });
  });
  http.on('upgrade', (request: IncomingMessage, socket, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const user = url.searchParams.get('user');
    const json = url.pathname === '/pong';
    wss.handleUpgrade(request, socket, head, (ws) => {
      alive.set(ws, true);
      ws.on('pong', () => alive.set(ws, true));
      ws.on('message', (data, isBinary) => {
        if (!json) ws.send(data, { binary: isBinary });
        else {
          const frame = JSON.parse(rawDataText(data)) as { name?: unknown };
          ws.send(JSON.stringify({ type: 'pong', name: frame.name }));
        }
      });
      if (user === null) return;
      let group = users.get(user);
      if (group === undefined) {
        group = new Set();
        users.set(user, group);
      }
      group.add(ws);
      ws.on('close', () => group.delete(ws));
    });
  });
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, heartbeatMs);

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/`,
    httpUrl: `http://127.0.0.1:${port}`,
    apiKey: API_KEY,
    sockets: () => wss.clients.size,
    close: async () => {
      clearInterval(heartbeat);
      for (const ws of wss.clients) ws.terminate();
      http.closeAllConnections();
      await new Promise<void>((resolve) =>
        http.close(() => {
          resolve();
        }),
      );
    },
  };
}

await serveChild(() => start(Number(process.argv[2] ?? 30_000)));
