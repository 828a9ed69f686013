import { closeServer, listen, urlHost } from '@pushline/adapters/system';
import type { UserId } from '@pushline/core';
import { createServer } from 'node:http';
import { composeServer, type ServerOptions } from './composition.js';
import type { ServerConfig } from './config.js';
import { createHttpApi } from './http-api.js';
import { startQueueConsumers } from './queue-consumers.js';
import { createUpgrade } from './upgrade.js';

/** A running standalone server. */
export interface PushlineServer {
  /** WebSocket URL, e.g. `ws://127.0.0.1:8080/`. */
  readonly url: string;
  /** HTTP base URL, e.g. `http://127.0.0.1:8080`. */
  readonly httpUrl: string;
  readonly port: number;
  /** The key `POST /notify` requires (generated in dev mode when not configured). */
  readonly apiKey: string;
  /** Enqueues a NotifyUser message from code in the same process. */
  notifyUser(userId: UserId, data: unknown, id?: string): Promise<void>;
  /** How many sockets are open. */
  connectionCount(): number;
  /** Closes every socket (1001) and stops the server. */
  close(): Promise<void>;
}

/**
 * Starts the standalone transport: one `ws` server and one HTTP API on the same port,
 * calling the core directly with in-memory adapters.
 */
export async function startServer(
  config: ServerConfig,
  options: ServerOptions = {},
): Promise<PushlineServer> {
  const parts = composeServer(config, options);
  const { sessions, queue } = parts;
  const stopConsumers = startQueueConsumers(parts);
  const upgrade = createUpgrade(parts);
  const http = createServer(createHttpApi(parts));
  http.on('upgrade', upgrade.listener);
  const heartbeat = setInterval(() => {
    for (const session of sessions.sessions()) session.heartbeat();
  }, config.heartbeatMs);
  heartbeat.unref();

  const port = await listen(http, config.port, config.host);
  const host = urlHost(config.host);

  return {
    url: `ws://${host}:${port}/`,
    httpUrl: `http://${host}:${port}`,
    port,
    apiKey: parts.apiKey,
    notifyUser: (userId, data, id) =>
      queue.sendNotifyUser([id === undefined ? { userId, data } : { userId, data, id }]),
    connectionCount: () => sessions.size,
    async close() {
      clearInterval(heartbeat);
      const open = [...sessions.sessions()];
      await Promise.all(open.map((session) => session.shutdown()));
      // A socket whose client did not answer the close handshake is cut.
      for (const session of open) session.socket.terminate();
      await upgrade.close();
      await closeServer(http);
      stopConsumers();
      queue.notifyConnection.clear();
      queue.notifyUser.clear();
    },
  };
}
