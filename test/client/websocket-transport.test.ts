// PushlineClient over the `ws` package's WebSocket (the Node 20 path) against a real `ws` server on
// 127.0.0.1, port 0: the token in the query string, a refused handshake (401) told apart from a
// network failure, text frames both ways, and the close.
import { PushlineClient, type Notification } from '@pushline/client';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';

const servers: WebSocketServer[] = [];

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          for (const client of server.clients) client.terminate();
          server.close(() => {
            resolve();
          });
        }),
    ),
  );
});

/** A tiny server that speaks the parts of the protocol the client needs, accepting only token `good`. */
async function startServer(): Promise<{ url: string; server: WebSocketServer; connects: string[] }> {
  const connects: string[] = [];
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    verifyClient: (info, callback) => {
      const token = new URL(info.req.url ?? '/', 'ws://x').searchParams.get('token');
      connects.push(token ?? '');
      if (token === 'good') callback(true);
      else callback(false, 401);
    },
  });
  servers.push(server);
  await new Promise<void>((resolve) =>
    server.once('listening', () => {
      resolve();
    }),
  );
  server.on('connection', (socket) => {
    socket.on('message', (data) => {
      const frame = JSON.parse((data as Buffer).toString()) as {
        action: string;
        requestId?: string;
        name?: string;
      };
      if (frame.action === 'resume') {
        socket.send(
          JSON.stringify({
            type: 'resumed',
            epoch: 'e1',
            seq: 0,
            recovered: true,
            notifications: [],
            requestId: frame.requestId,
          }),
        );
        socket.send(
          JSON.stringify({ type: 'notification', id: 'n1', seq: 1, epoch: 'e1', data: { hello: 'world' } }),
        );
      } else if (frame.action === 'ping')
        socket.send(JSON.stringify({ type: 'pong', name: frame.name, requestId: frame.requestId }));
    });
  });
  const { port } = server.address() as AddressInfo;
  return { url: `ws://127.0.0.1:${port}/`, server, connects };
}

describe('PushlineClient with the ws package', () => {
  it('connects with ?token=, resumes, receives a notification and pairs a ping with its pong', async () => {
    const { url } = await startServer();
    const client = new PushlineClient({ url, token: 'good', WebSocket });
    const first = new Promise<Notification>((resolve) => client.on('notification', resolve));
    await client.ready();
    await expect(first).resolves.toEqual({ id: 'n1', seq: 1, epoch: 'e1', data: { hello: 'world' } });
    const pong = await client.request({ action: 'ping', name: 'Stepan' });
    expect(pong).toMatchObject({ type: 'pong', name: 'Stepan' });
    client.close();
    expect(client.state).toBe('closed');
  });

  it('stops with UNAUTHORIZED when the handshake is refused with 401, instead of retrying a fixed token', async () => {
    const { url, connects } = await startServer();
    const client = new PushlineClient({ url, token: 'bad', WebSocket });
    await expect(client.ready()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(connects).toEqual(['bad']);
    expect(client.state).toBe('closed');
  });

  it('asks token() again after a 401 and connects with the fresh token', async () => {
    const { url, connects } = await startServer();
    const tokens = ['bad', 'good'];
    const client = new PushlineClient({
      url,
      token: () => tokens.shift() ?? 'good',
      WebSocket,
      reconnectDelayMs: 50,
    });
    await client.ready();
    expect(connects).toEqual(['bad', 'good']);
    client.close();
  });
});
