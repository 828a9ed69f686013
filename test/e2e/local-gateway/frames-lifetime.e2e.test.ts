// Conformance ids C41–C52 (docs/api-gateway.md §7, §9): frames, sizes, timeouts and $disconnect.
// Timers are configured small (hundreds of ms) and every assertion allows generous slack:
// other test files share the machine.
import type { LocalGatewayOptions, WebSocketDisconnectEvent, WebSocketMessageEvent } from '@pushline/local';
import { describe, expect, it } from 'vitest';
import {
  connect,
  connectionUrl,
  EventProbe,
  eventually,
  http,
  sleep,
  type TestClient,
  whoami,
  whoamiRoute,
  withGateway,
} from '../../support/local-gateway.js';

const KB = 1024;

/** Routes that record every MESSAGE and DISCONNECT event; `whoami` answers the connection id. */
function recording(probe: EventProbe): LocalGatewayOptions['routes'] {
  return {
    $default: {
      handler: (event) => {
        probe.record(event);
        return Promise.resolve({ statusCode: 200 });
      },
    },
    $disconnect: {
      handler: (event) => {
        probe.record(event);
        return Promise.resolve({ statusCode: 200 });
      },
    },
    whoami: whoamiRoute,
  };
}

/** Sends `text` as one message split into frames of at most `frameBytes`. */
async function sendFragmented(client: TestClient, text: string, frameBytes: number): Promise<void> {
  const bytes = Buffer.from(text, 'utf8');
  for (let offset = 0; offset < bytes.length; offset += frameBytes) {
    await client.send(bytes.subarray(offset, offset + frameBytes), {
      binary: false,
      fin: offset + frameBytes >= bytes.length,
    });
  }
}

function disconnectOf(probe: EventProbe, connectionId: string): WebSocketDisconnectEvent | undefined {
  return probe.of(connectionId, 'DISCONNECT')[0] as WebSocketDisconnectEvent | undefined;
}

describe('local gateway: frames, sizes and lifetime', () => {
  it('C41 closes the socket with 1003 on a binary frame, without running a route', async () => {
    const probe = new EventProbe();
    await withGateway({ routes: recording(probe) }, async (gateway) => {
      const client = await connect(gateway);
      const connectionId = await whoami(client);
      await client.send(Buffer.from('{"action":"whoami"}'), { binary: true });
      expect((await client.closed()).code).toBe(1003);
      await eventually(() => disconnectOf(probe, connectionId) !== undefined);
      expect(probe.byType('MESSAGE')).toEqual([]);
      expect(disconnectOf(probe, connectionId)?.requestContext.disconnectStatusCode).toBe(1003);
    });
  });

  it('C42 closes the socket with 1009 on one text frame of 33 KB', async () => {
    const probe = new EventProbe();
    await withGateway({ routes: recording(probe) }, async (gateway) => {
      const client = await connect(gateway);
      await client.send('x'.repeat(33 * KB));
      expect((await client.closed()).code).toBe(1009);
      expect(probe.byType('MESSAGE')).toEqual([]);
    });
  });

  it('C43 delivers a 100 KB message sent in frames of 32 KB as one body', async () => {
    const probe = new EventProbe();
    const text = 'abcdefghij'.repeat(10 * KB);
    await withGateway({ routes: recording(probe) }, async (gateway) => {
      const client = await connect(gateway);
      await sendFragmented(client, text, 32 * KB);
      await eventually(() => probe.byType('MESSAGE').length === 1);
      expect(client.isOpen()).toBe(true);
      await client.end();
    });
    expect((probe.byType('MESSAGE')[0] as WebSocketMessageEvent).body).toBe(text);
  });

  it('C44 closes the socket with 1009 on a message over 128 KB, even in frames of 32 KB', async () => {
    const probe = new EventProbe();
    await withGateway({ routes: recording(probe) }, async (gateway) => {
      const client = await connect(gateway);
      await sendFragmented(client, 'y'.repeat(128 * KB + 1), 32 * KB).catch(() => undefined);
      expect((await client.closed()).code).toBe(1009);
      expect(probe.byType('MESSAGE')).toEqual([]);
    });
  });

  it('C45 closes an idle socket with 1001 Going away and runs $disconnect', async () => {
    const probe = new EventProbe();
    await withGateway({ timeouts: { idleMs: 300 }, routes: recording(probe) }, async (gateway) => {
      const client = await connect(gateway);
      const connectionId = await whoami(client);
      expect(await client.closed()).toEqual({ code: 1001, reason: 'Going away' });
      await eventually(() => disconnectOf(probe, connectionId) !== undefined);
      expect(disconnectOf(probe, connectionId)?.requestContext).toMatchObject({
        disconnectStatusCode: 1001,
        disconnectReason: 'Going away',
      });
    });
  });

  it('C46 restarts the idle timer on each inbound message and each @connections POST', async () => {
    const idleMs = 1000;
    await withGateway(
      {
        timeouts: { idleMs },
        routes: { whoami: whoamiRoute, $default: { handler: () => Promise.resolve({}) } },
      },
      async (gateway) => {
        const client = await connect(gateway);
        const connectionId = await whoami(client);
        const started = Date.now();
        while (Date.now() - started < 2 * idleMs) {
          await client.send('keep me');
          await sleep(idleMs / 5);
        }
        expect(client.isOpen()).toBe(true);
        const posting = Date.now();
        while (Date.now() - posting < 2 * idleMs) {
          expect((await http('POST', connectionUrl(gateway, connectionId), 'ping')).status).toBe(200);
          await sleep(idleMs / 5);
        }
        expect(client.isOpen()).toBe(true);
        expect((await client.closed()).code).toBe(1001);
      },
    );
  });

  it('C47 closes a connection at the maximum duration even while it is active', async () => {
    const maxDurationMs = 800;
    await withGateway(
      { timeouts: { maxDurationMs }, routes: { $default: { handler: () => Promise.resolve({}) } } },
      async (gateway) => {
        const client = await connect(gateway);
        const opened = Date.now();
        while (client.isOpen() && Date.now() - opened < 10_000) {
          await client.send('busy').catch(() => undefined);
          await sleep(50);
        }
        expect(await client.closed()).toEqual({ code: 1001, reason: 'Going away' });
        expect(Date.now() - opened).toBeGreaterThanOrEqual(maxDurationMs - 50);
      },
    );
  });

  it('C48 reports 1005 and "Client-side close frame status not set" when the client closes without a status', async () => {
    const probe = new EventProbe();
    await withGateway({ routes: recording(probe) }, async (gateway) => {
      const client = await connect(gateway);
      const connectionId = await whoami(client);
      await client.end();
      await eventually(() => disconnectOf(probe, connectionId) !== undefined);
      expect(disconnectOf(probe, connectionId)?.requestContext).toMatchObject({
        disconnectStatusCode: 1005,
        disconnectReason: 'Client-side close frame status not set',
      });
    });
  });

  it('C49 reports the client close code and reason (1000, bye)', async () => {
    const probe = new EventProbe();
    await withGateway({ routes: recording(probe) }, async (gateway) => {
      const client = await connect(gateway);
      const connectionId = await whoami(client);
      await client.end(1000, 'bye');
      await eventually(() => disconnectOf(probe, connectionId) !== undefined);
      expect(disconnectOf(probe, connectionId)?.requestContext).toMatchObject({
        disconnectStatusCode: 1000,
        disconnectReason: 'bye',
      });
    });
  });

  it('C50 sends a DISCONNECT event with the fixed headers and the connection facts of CONNECT', async () => {
    const probe = new EventProbe();
    await withGateway(
      {
        routes: {
          ...recording(probe),
          $connect: {
            handler: (event) => {
              probe.record(event);
              return Promise.resolve({ statusCode: 200 });
            },
          },
        },
      },
      async (gateway) => {
        const client = await connect(gateway, { query: 'token=abc', headers: { 'User-Agent': 'probe/1' } });
        const connectionId = await whoami(client);
        await client.end();
        await eventually(() => disconnectOf(probe, connectionId) !== undefined);
        const connected = probe.of(connectionId, 'CONNECT')[0];
        const event = disconnectOf(probe, connectionId);
        const host = `127.0.0.1:${gateway.port}`;
        expect(event?.requestContext.eventType).toBe('DISCONNECT');
        expect(event?.requestContext.routeKey).toBe('$disconnect');
        expect(event?.headers).toEqual({
          Host: host,
          'x-api-key': '',
          'X-Forwarded-For': '',
          'x-restapi': '',
        });
        expect(event?.multiValueHeaders).toEqual({
          Host: [host],
          'x-api-key': [''],
          'X-Forwarded-For': [''],
          'x-restapi': [''],
        });
        expect(event?.requestContext.connectedAt).toBe(connected?.requestContext.connectedAt);
        expect(event?.requestContext.identity).toEqual(connected?.requestContext.identity);
        expect(event?.isBase64Encoded).toBe(false);
        expect(event).not.toHaveProperty('body');
        expect(event).not.toHaveProperty('queryStringParameters');
        expect(event).not.toHaveProperty('multiValueQueryStringParameters');
      },
    );
  });

  it('C51 runs $disconnect exactly once per connection, whatever closed it', async () => {
    const counts = new Map<string, number>();
    const routes: LocalGatewayOptions['routes'] = {
      whoami: whoamiRoute,
      $disconnect: {
        handler: (event) => {
          const id = event.requestContext.connectionId;
          counts.set(id, (counts.get(id) ?? 0) + 1);
          return Promise.resolve({ statusCode: 200 });
        },
      },
    };
    const ids: string[] = [];
    await withGateway({ routes, timeouts: { idleMs: 400 } }, async (gateway) => {
      const open = async (): Promise<[TestClient, string]> => {
        const client = await connect(gateway);
        const id = await whoami(client);
        ids.push(id);
        return [client, id];
      };
      const [byClient] = await open();
      await byClient.end(1000);
      const [byDelete, deleteId] = await open();
      expect((await http('DELETE', connectionUrl(gateway, deleteId))).status).toBe(204);
      await byDelete.closed();
      const [byBinary] = await open();
      await byBinary.send(Buffer.from([1]), { binary: true });
      await byBinary.closed();
      const [bySize] = await open();
      await bySize.send('z'.repeat(40 * KB));
      await bySize.closed();
      const [byIdle] = await open();
      await byIdle.closed();
      await open();
    });
    await withGateway({ routes, timeouts: { maxDurationMs: 300 } }, async (gateway) => {
      const client = await connect(gateway);
      ids.push(await whoami(client));
      await client.closed();
    });
    await eventually(() => ids.every((id) => counts.has(id)));
    await sleep(300);
    expect(ids).toHaveLength(7);
    expect(ids.map((id) => counts.get(id))).toEqual(ids.map(() => 1));
  });

  it('C52 answers client pings with pongs without invoking a route', async () => {
    const probe = new EventProbe();
    await withGateway({ routes: recording(probe) }, async (gateway) => {
      const client = await connect(gateway);
      const pong = new Promise<Buffer>((resolve) => client.socket.once('pong', resolve));
      client.socket.ping(Buffer.from('are you there'));
      expect((await pong).toString()).toBe('are you there');
      await sleep(200);
      expect(probe.byType('MESSAGE')).toEqual([]);
      await client.end();
    });
  });
});
