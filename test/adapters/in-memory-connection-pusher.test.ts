// InMemoryConnectionPusher keeps the same contract as the API Gateway pusher: a socket opened
// in memory plays the client, and its frames are what the pusher recorded for it.
import { randomBytes } from 'node:crypto';
import { InMemoryConnectionPusher } from '@pushline/adapters/memory';
import {
  describeConnectionPusherContract,
  type PeerSocket,
} from '../contracts/connection-pusher.contract.js';
import { eventually } from '../support/local-gateway.js';

function peerOf(pusher: InMemoryConnectionPusher): PeerSocket {
  const connectionId = `${randomBytes(11).toString('base64url')}=`;
  pusher.open(connectionId, { sourceIp: '203.0.113.7' });
  let cursor = 0;
  return {
    connectionId,
    get frames() {
      return pusher.framesOf(connectionId);
    },
    nextFrame: async (ms) => {
      await eventually(() => pusher.framesOf(connectionId).length > cursor, ms, 'a frame');
      const frame = pusher.framesOf(connectionId)[cursor] ?? '';
      cursor += 1;
      return frame;
    },
    closed: (ms) => eventually(() => !pusher.isOpen(connectionId), ms, 'the socket to close'),
    close: () => {
      pusher.close(connectionId);
      return Promise.resolve();
    },
  };
}

describeConnectionPusherContract('InMemoryConnectionPusher', () => {
  const pusher = new InMemoryConnectionPusher();
  return Promise.resolve({
    pusher,
    open: () => Promise.resolve(peerOf(pusher)),
    dispose: () => Promise.resolve(),
  });
});
