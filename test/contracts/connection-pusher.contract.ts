// The ConnectionPusher contract: every guarantee of the port's TSDoc, as cases any adapter must
// pass. The harness gives the pusher and a way to open a client socket the pusher can reach
// (a real `ws` client through the local gateway, or a socket registered in memory), so the
// cases observe what a client would: the frames it receives and whether it is still open.
import { randomBytes } from 'node:crypto';
import { type ConnectionId, type ConnectionPusher, MAX_PAYLOAD_BYTES } from '@pushline/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The client end of one connection, as the contract observes it. */
export interface PeerSocket {
  /** The id the transport gave the connection; what `push` takes. */
  readonly connectionId: ConnectionId;
  /** Every text message received so far, in arrival order. */
  readonly frames: readonly string[];
  /**
   * The next message not yet returned by `nextFrame` (a cursor over `frames`); rejects when none
   * arrives within `timeoutMs`.
   */
  nextFrame(timeoutMs?: number): Promise<string>;
  /** Resolves once the socket is closed (by either side); rejects after `timeoutMs`. */
  closed(timeoutMs?: number): Promise<void>;
  /** Closes the socket from the client side; resolves once the transport knows it is gone. */
  close(): Promise<void>;
}

/** What an adapter's test file gives the contract; built once for the whole describe block. */
export interface ConnectionPusherHarness {
  readonly pusher: ConnectionPusher;
  /** Opens a new client socket that the pusher can reach. */
  open(): Promise<PeerSocket>;
  dispose(): Promise<void>;
}

/** How long a case waits for something that should happen, at most (others share the machine). */
const WAIT_MS = 10_000;
const PROPERTY_RUNS = 15;

/** A well-formed id in API Gateway's shape that no transport has handed out. */
function neverSeenId(): ConnectionId {
  return `${randomBytes(11).toString('base64url')}=`;
}

/** Pushes a marker and waits for it: every frame pushed before it has then arrived, or never will. */
async function flush(pusher: ConnectionPusher, peer: PeerSocket): Promise<void> {
  const marker = `marker-${randomBytes(6).toString('hex')}`;
  expect(await pusher.push(peer.connectionId, marker)).toEqual({ ok: true, value: undefined });
  for (;;) {
    if ((await peer.nextFrame(WAIT_MS)) === marker) return;
  }
}

/** Defines the contract's cases for the pusher `make` builds. */
export function describeConnectionPusherContract(
  name: string,
  make: () => Promise<ConnectionPusherHarness>,
): void {
  describe(`${name} keeps the ConnectionPusher contract`, () => {
    let harness: ConnectionPusherHarness | undefined;
    const current = (): ConnectionPusherHarness => {
      if (harness === undefined) throw new Error('the harness was not built');
      return harness;
    };
    const pusher = (): ConnectionPusher => current().pusher;
    const open = (): Promise<PeerSocket> => current().open();

    beforeAll(async () => {
      harness = await make();
    });

    afterAll(async () => {
      await harness?.dispose();
    });

    it('delivers exactly the text pushed, as one frame', async () => {
      const peer = await open();
      const text = '{"type":"notification","id":"n-1","data":{"emoji":"🚀","rtl":"שלום","nl":"a\\nb"}}';
      expect(await pusher().push(peer.connectionId, text)).toEqual({ ok: true, value: undefined });
      expect(await peer.nextFrame(WAIT_MS)).toBe(text);
      await flush(pusher(), peer);
      expect(peer.frames.slice(0, 1)).toEqual([text]);
      expect(peer.frames).toHaveLength(2);
      await peer.close();
    });

    it('delivers any text, whitespace and unicode included, verbatim', async () => {
      const peer = await open();
      await fc.assert(
        fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 200 }), async (text) => {
          expect((await pusher().push(peer.connectionId, text)).ok).toBe(true);
          expect(await peer.nextFrame(WAIT_MS)).toBe(text);
        }),
        { numRuns: PROPERTY_RUNS },
      );
      await peer.close();
    });

    it('answers a push to a socket the client closed with CONNECTION_GONE and sends nothing', async () => {
      const peer = await open();
      await peer.close();
      const pushed = await pusher().push(peer.connectionId, 'too late');
      expect(pushed.ok).toBe(false);
      expect(pushed.ok ? undefined : pushed.error.code).toBe('CONNECTION_GONE');
      expect(peer.frames).toEqual([]);
    });

    it('answers a push to a connection it never saw with CONNECTION_GONE', async () => {
      const pushed = await pusher().push(neverSeenId(), 'anyone?');
      expect(pushed.ok ? undefined : pushed.error.code).toBe('CONNECTION_GONE');
    });

    it(`delivers a payload of exactly ${MAX_PAYLOAD_BYTES} bytes`, async () => {
      const peer = await open();
      const text = 'x'.repeat(MAX_PAYLOAD_BYTES);
      expect(await pusher().push(peer.connectionId, text)).toEqual({ ok: true, value: undefined });
      expect(await peer.nextFrame(WAIT_MS)).toBe(text);
      await peer.close();
    });

    it(`answers ${MAX_PAYLOAD_BYTES + 1} bytes with PAYLOAD_TOO_LARGE, counting UTF-8 bytes, and sends nothing`, async () => {
      const peer = await open();
      const ascii = 'x'.repeat(MAX_PAYLOAD_BYTES + 1);
      // 43691 three-byte characters: 65 KB of UTF-16, 131073 bytes of UTF-8.
      const multiByte = '€'.repeat((MAX_PAYLOAD_BYTES + 1) / 3);
      for (const text of [ascii, multiByte]) {
        const pushed = await pusher().push(peer.connectionId, text);
        expect(pushed.ok ? undefined : pushed.error.code).toBe('PAYLOAD_TOO_LARGE');
      }
      await flush(pusher(), peer);
      expect(peer.frames).toHaveLength(1);
      await peer.close();
    });

    it('closes the socket on disconnect, and reports CONNECTION_GONE for a second disconnect and a later push', async () => {
      const peer = await open();
      expect(await pusher().disconnect(peer.connectionId)).toEqual({ ok: true, value: undefined });
      await peer.closed(WAIT_MS);
      const again = await pusher().disconnect(peer.connectionId);
      expect(again.ok ? undefined : again.error.code).toBe('CONNECTION_GONE');
      const pushed = await pusher().push(peer.connectionId, 'after disconnect');
      expect(pushed.ok ? undefined : pushed.error.code).toBe('CONNECTION_GONE');
      expect(peer.frames).toEqual([]);
    });

    it('reports CONNECTION_GONE when disconnecting a connection it never saw', async () => {
      const result = await pusher().disconnect(neverSeenId());
      expect(result.ok ? undefined : result.error.code).toBe('CONNECTION_GONE');
    });

    it('describes a live socket with epoch-millisecond times, connectedAt ≤ lastActiveAt', async () => {
      const before = Date.now();
      const peer = await open();
      const described = await pusher().info(peer.connectionId);
      const after = Date.now();
      if (!described.ok) throw new Error(`info failed: ${described.error.code}`);
      const { connectedAt, lastActiveAt, sourceIp } = described.value;
      expect(Number.isInteger(connectedAt)).toBe(true);
      expect(Number.isInteger(lastActiveAt)).toBe(true);
      // Whole seconds of slack: a transport may round its clock.
      expect(connectedAt).toBeGreaterThanOrEqual(before - 1000);
      expect(connectedAt).toBeLessThanOrEqual(after);
      expect(lastActiveAt).toBeGreaterThanOrEqual(connectedAt);
      expect(lastActiveAt).toBeLessThanOrEqual(after + 1000);
      expect(sourceIp === null || typeof sourceIp === 'string').toBe(true);
      await peer.close();
    });

    it('reports CONNECTION_GONE for info on a closed socket and on one it never saw', async () => {
      const peer = await open();
      await peer.close();
      for (const id of [peer.connectionId, neverSeenId()]) {
        const described = await pusher().info(id);
        expect(described.ok ? undefined : described.error.code).toBe('CONNECTION_GONE');
      }
    });

    it('delivers each of many concurrent pushes to several sockets exactly once, to the right socket', async () => {
      const peers = await Promise.all([open(), open(), open(), open()]);
      const perPeer = 25;
      const sent = peers.map((peer, p) =>
        Array.from({ length: perPeer }, (_, i) => `{"peer":${p},"n":${i},"to":"${peer.connectionId}"}`),
      );
      const results = await Promise.all(
        peers.flatMap((peer, p) => (sent[p] ?? []).map((text) => pusher().push(peer.connectionId, text))),
      );
      expect(results.every((result) => result.ok)).toBe(true);
      await Promise.all(
        peers.map(async (peer) => {
          for (let i = 0; i < perPeer; i++) await peer.nextFrame(WAIT_MS);
          await flush(pusher(), peer);
        }),
      );
      peers.forEach((peer, p) => {
        const received = peer.frames.slice(0, perPeer);
        expect([...received].sort()).toEqual([...(sent[p] ?? [])].sort());
        expect(peer.frames).toHaveLength(perPeer + 1);
      });
      await Promise.all(peers.map((peer) => peer.close()));
    });
  });
}
