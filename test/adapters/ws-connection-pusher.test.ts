// WsConnectionPusher keeps the ConnectionPusher contract: a real `ws` server on 127.0.0.1 registers
// each socket's session as the standalone server does (add on connection, remove on close), the
// pusher reads that one registry, and real `ws` clients play the peers.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WsConnectionPusher, WsSessionRegistry } from '@pushline/adapters/ws';
import { type WebSocket, WebSocketServer } from 'ws';
import { describe, expect, it } from 'vitest';
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

describe('WsConnectionPusher over the session registry', () => {
  it('terminates a socket over its buffer limit, answers CONNECTION_GONE and leaves its session to the close', async () => {
    const sessions = new WsSessionRegistry();
    // With no room at all, the first frame already overflows: the socket is a slow consumer.
    const pusher = new WsConnectionPusher(sessions, { maxBufferedBytes: 0 });
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    try {
      await new Promise<void>((resolve) => wss.once('listening', resolve));
      const { port } = wss.address() as AddressInfo;
      const removedAtClose = new Promise<boolean>((resolve) => {
        wss.once('connection', (socket) => {
          const session = { connectionId: 'slow=', socket, connectedAt: 1, lastActiveAt: 1, sourceIp: null };
          sessions.add(session);
          socket.once('close', () => {
            resolve(sessions.remove(session));
          });
        });
      });
      const client = await connect(`ws://127.0.0.1:${port}/`);
      await within(
        new Promise<void>((resolve) => {
          const poll = (): void => {
            if (sessions.size === 1) resolve();
            else setTimeout(poll, 5);
          };
          poll();
        }),
        10_000,
        'the server to register the socket',
      );

      const outcome = await pusher.push('slow=', '{"type":"pong"}');

      expect(outcome).toEqual({
        ok: false,
        error: {
          code: 'CONNECTION_GONE',
          message: 'the socket was too slow to read its frames and was dropped',
        },
      });
      expect(sessions.get('slow=')).toBeDefined();
      expect((await client.closed()).code).toBe(1006);
      expect(await within(removedAtClose, 10_000, 'the close')).toBe(true);
      expect(await pusher.push('slow=', '{"type":"pong"}')).toMatchObject({
        error: { code: 'CONNECTION_GONE' },
      });
      expect(client.frames).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => {
        wss.close(() => {
          resolve();
        });
      });
    }
  });
});

describe('WsSessionRegistry', () => {
  const session = (connectionId: string) => ({
    connectionId,
    socket: new EventEmitter() as unknown as WebSocket,
    connectedAt: 1,
    lastActiveAt: 1,
    sourceIp: null,
  });

  it('finds a session by connection id and by socket until it is removed', () => {
    const sessions = new WsSessionRegistry();
    const a = session('a=');
    const b = session('b=');
    sessions.add(a);
    sessions.add(b);
    expect(sessions.get('a=')).toBe(a);
    expect(sessions.ofSocket(b.socket)).toBe(b);
    expect([...sessions.sessions()]).toEqual([a, b]);
    expect(sessions.remove(a)).toBe(true);
    expect(sessions.remove(a)).toBe(false);
    expect(sessions.get('a=')).toBeUndefined();
    expect(sessions.ofSocket(a.socket)).toBeUndefined();
    expect(sessions.size).toBe(1);
  });

  it('refuses a second session under the same connection id, and keeps the first', () => {
    const sessions = new WsSessionRegistry();
    const first = session('a=');
    sessions.add(first);
    expect(() => {
      sessions.add(session('a='));
    }).toThrow("connection 'a=' is registered twice");
    expect(sessions.get('a=')).toBe(first);
    expect(sessions.remove(session('a='))).toBe(false);
    expect(sessions.size).toBe(1);
  });
});
