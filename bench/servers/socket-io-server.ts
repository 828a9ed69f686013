// Socket.IO 4 doing what Pushline's ping does: an event `ping` with `{name}` is answered with
// an event `pong` carrying the same object. WebSocket transport only, no compression, so it
// compares with the raw ws server and Pushline on equal terms. Run by bench/run.ts as a child
// process: `socket-io-server.ts`.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { type ChildServer, serveChild } from './child.js';

async function start(): Promise<ChildServer> {
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'], serveClient: false, perMessageDeflate: false });
  io.on('connection', (socket) => {
    socket.on('ping', (payload: unknown) => {
      socket.emit('pong', payload);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`,
    httpUrl: `http://127.0.0.1:${port}`,
    apiKey: '',
    sockets: () => io.engine.clientsCount,
    close: async () => {
      io.disconnectSockets(true);
      http.closeAllConnections();
      await io.close();
    },
  };
}

await serveChild(start);
