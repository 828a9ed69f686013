// The two real servers @pushline/client is tested against, started in-process on 127.0.0.1
// with free ports: `pnpm dev`'s AWS-shaped stack (the real Lambda handlers behind the local API
// Gateway, dynalite, local-aws-sqs) and the standalone server. Each is reached through a TCP
// proxy the test can cut (a network drop) or take offline (handshakes fail).
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { type DevStack, startDevStack } from '@pushline/local/dev';
import { loadConfig, type PushlineServer, startServer } from '@pushline/server';
import { createServer, type Server, type Socket, connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { devConfigOnFreePorts } from '../../bench/support/dev-stack.js';

/** A TCP proxy in front of a server: `cut()` drops every connection, `offline` refuses new ones. */
export interface CutProxy {
  readonly port: number;
  offline: boolean;
  cut(): void;
  close(): Promise<void>;
}

async function startCutProxy(targetPort: number): Promise<CutProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((downstream) => {
    if (proxy.offline) {
      downstream.destroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [downstream, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        downstream.destroy();
        upstream.destroy();
      });
    }
    downstream.pipe(upstream).pipe(downstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy: CutProxy = {
    port: (server.address() as AddressInfo).port,
    offline: false,
    cut() {
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        proxy.cut();
        server.close(() => {
          resolve();
        });
      }),
  };
  return proxy;
}

/** A running server as the client tests use it. */
export interface ClientTarget {
  readonly name: string;
  /** The WebSocket URL through the proxy. */
  readonly wsUrl: string;
  /** The WebSocket URL without the proxy (what a browser page is served next to). */
  readonly directWsUrl: string;
  readonly proxy: CutProxy;
  token(userId: string): Promise<string>;
  notify(userId: string, data: unknown): Promise<void>;
  /** Closes every socket from the server's side; false where the server has no way to. */
  closeFromServer(): Promise<boolean>;
  openSockets(): number;
  close(): Promise<void>;
}

async function postToken(httpUrl: string, userId: string): Promise<string> {
  const response = await fetch(`${httpUrl}/token`, { method: 'POST', body: JSON.stringify({ userId }) });
  if (response.status !== 200) throw new Error(`POST /token answered ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

function proxied(wsUrl: string, port: number, proxy: CutProxy): string {
  return wsUrl.replace(`127.0.0.1:${port}`, `127.0.0.1:${proxy.port}`);
}

/** `pnpm dev`'s stack; `maxConnectionMs` shortens the gateway's 2-hour cap. */
export async function startDevTarget(options: { maxConnectionMs?: number } = {}): Promise<ClientTarget> {
  const stack: DevStack = await startDevStack(devConfigOnFreePorts(), {
    logLevel: 'SILENT',
    ...(options.maxConnectionMs === undefined
      ? {}
      : { timeouts: { maxDurationMs: options.maxConnectionMs } }),
  });
  const proxy = await startCutProxy(stack.gateway.port);
  return {
    name: 'pnpm dev stack',
    wsUrl: proxied(stack.wsUrl, stack.gateway.port, proxy),
    directWsUrl: stack.wsUrl,
    proxy,
    token: (userId) => postToken(stack.httpUrl, userId),
    notify: async (userId, data) => {
      await stack.aws.sqs.send(
        new SendMessageCommand({
          QueueUrl: stack.queues.NotifyUser.url,
          MessageBody: JSON.stringify({ userId, data }),
        }),
      );
    },
    closeFromServer: async () => {
      await Promise.all(
        stack.gateway
          .connectionIds()
          .map((id) =>
            fetch(`${stack.managementEndpoint}/@connections/${encodeURIComponent(id)}`, { method: 'DELETE' }),
          ),
      );
      return true;
    },
    openSockets: () => stack.gateway.connectionIds().length,
    close: async () => {
      await proxy.close();
      await stack.close();
    },
  };
}

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';

/** The standalone server (dev mode: POST /token). */
export async function startServerTarget(): Promise<ClientTarget> {
  const config = loadConfig({
    PUSHLINE_PORT: '0',
    PUSHLINE_TOKEN_SECRET: SECRET,
    PUSHLINE_API_KEY: 'test-api-key-0123456789',
  });
  const server: PushlineServer = await startServer(config, { logLevel: 'SILENT' });
  const proxy = await startCutProxy(server.port);
  return {
    name: 'standalone server',
    wsUrl: proxied(server.url, server.port, proxy),
    directWsUrl: server.url,
    proxy,
    token: (userId) => postToken(server.httpUrl, userId),
    notify: (userId, data) => server.notifyUser(userId, data),
    closeFromServer: () => Promise.resolve(false),
    openSockets: () => server.connectionCount(),
    close: async () => {
      await proxy.close();
      await server.close();
    },
  };
}
