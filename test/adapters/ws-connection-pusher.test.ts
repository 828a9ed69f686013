// WsConnectionPusher keeps the ConnectionPusher contract: a real `ws` server on 127.0.0.1 registers
// each socket's session as the standalone server does (add on connection, remove on close), the
// pusher reads that one registry, and real `ws` clients play the peers.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WsConnectionPusher, WsSessionRegistry } from '@pushline/adapters/ws';
import { WebSocketServer } from 'ws';
import {
  describeConnectionPusherContract,
  type PeerSocket,
} from '../contracts/connection-pusher.contract.js';
import { connect, within } from '../support/local-gateway.js';

describeConnectionPusherContract('WsConnectionPusher', async () => {
  const sessions = new WsSessionRegistry();
  const pusher = new WsConnectionPusher(sessions);
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const { port } = wss.address() as AddressInfo;
  // Each client names itself in the URL, so concurrent opens find their own connection id.
  const attached = new Map<string, (connectionId: string) => void>();
  const detached = new Map<string, Promise<void>>();
  wss.on('connection', (socket, request) => {
    const peer = new URL(request.url ?? '/', 'http://localhost').searchParams.get('peer') ?? '';
    const connectionId = `${randomBytes(11).toString('base64url')}=`;
    const now = Date.now();
    const session = {
      connectionId,
      socket,
      connectedAt: now,
      lastActiveAt: now,
      sourceIp: request.socket.remoteAddress ?? null,
    };
    detached.set(
      connectionId,
      new Promise((resolve) => {
        socket.once('close', () => {
          sessions.remove(session);
          resolve();
        });
      }),
    );
    sessions.add(session);
    attached.get(peer)?.(connectionId);
  });

  const open = async (): Promise<PeerSocket> => {
    const peer = randomBytes(6).toString('hex');
    const idKnown = new Promise<string>((resolve) => attached.set(peer, resolve));
    const client = await connect(`ws://127.0.0.1:${port}/?peer=${peer}`);
    const connectionId = await within(idKnown, 10_000, 'the server to attach the socket');
    attached.delete(peer);
    return {
      connectionId,
      get frames() {
        return client.frames;
      },
      nextFrame: (ms) => client.nextFrame(ms),
      closed: async (ms) => {
        await client.closed(ms);
      },
      close: async () => {
        await client.end();
        await within(detached.get(connectionId) ?? Promise.resolve(), 10_000, 'the server to detach');
      },
    };
  };

  return {
    pusher,
    open,
    dispose: async () => {
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve, reject) => {
        wss.close((error) => {
          if (error) reject(error);
          else resolve();
        });
      });
    },
  };
});
