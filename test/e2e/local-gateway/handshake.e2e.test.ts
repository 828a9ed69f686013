// Conformance ids C01–C13 (docs/api-gateway.md §4.1, §9): the handshake and $connect.
import type { WebSocketConnectEvent } from '@pushline/local';
import { describe, expect, it } from 'vitest';
import {
  connect,
  EventProbe,
  http,
  connectionUrl,
  refusedStatus,
  sleep,
  withGateway,
} from '../../support/local-gateway.js';

const ok = (): Promise<{ statusCode: number }> => Promise.resolve({ statusCode: 200 });

describe('local gateway: handshake and $connect', () => {
  it('C01 opens the socket when $connect returns 200 or 201', async () => {
    for (const statusCode of [200, 201]) {
      await withGateway(
        { routes: { $connect: { handler: () => Promise.resolve({ statusCode }) } } },
        async (gateway) => {
          const client = await connect(gateway);
          expect(client.isOpen()).toBe(true);
          await client.end();
        },
      );
    }
  });

  it('C02 answers the upgrade with the status $connect returned (400, 401, 403, 500)', async () => {
    for (const statusCode of [400, 401, 403, 500]) {
      await withGateway(
        { routes: { $connect: { handler: () => Promise.resolve({ statusCode }) } } },
        async (gateway) => {
          await expect(connect(gateway)).rejects.toThrow(`Unexpected server response: ${statusCode}`);
        },
      );
    }
  });

  it('C03 answers 502 when $connect throws', async () => {
    await withGateway(
      { routes: { $connect: { handler: () => Promise.reject(new Error('boom')) } } },
      async (gateway) => {
        expect(await refusedStatus(gateway)).toBe(502);
      },
    );
  });

  it('C04 accepts connections when no $connect route is configured', async () => {
    await withGateway({ routes: {} }, async (gateway) => {
      const client = await connect(gateway);
      expect(client.isOpen()).toBe(true);
      await client.end();
    });
  });

  it('C05 opens only after $connect settled, with its writes visible at open', async () => {
    const registry = new Set<string>();
    await withGateway(
      {
        routes: {
          $connect: {
            handler: async (event) => {
              await sleep(300);
              registry.add(event.requestContext.connectionId);
              return { statusCode: 200 };
            },
          },
        },
      },
      async (gateway) => {
        const started = Date.now();
        const client = await connect(gateway);
        expect(Date.now() - started).toBeGreaterThanOrEqual(290);
        expect(registry.size).toBe(1);
        await client.end();
      },
    );
  });

  it('C06 knows nothing of a refused connection: POST answers 410 and no $disconnect runs', async () => {
    const refused: string[] = [];
    let disconnects = 0;
    await withGateway(
      {
        routes: {
          $connect: {
            handler: (event) => {
              refused.push(event.requestContext.connectionId);
              return Promise.resolve({ statusCode: 403 });
            },
          },
          $disconnect: {
            handler: () => {
              disconnects += 1;
              return ok();
            },
          },
        },
      },
      async (gateway) => {
        expect(await refusedStatus(gateway)).toBe(403);
        const response = await http('POST', connectionUrl(gateway, refused[0] ?? ''), 'hi');
        expect(response.status).toBe(410);
        await sleep(300);
        expect(disconnects).toBe(0);
      },
    );
    expect(disconnects).toBe(0);
  });

  it('C07 sends a CONNECT event with the client headers and the gateway headers', async () => {
    const probe = new EventProbe();
    await withGateway(
      {
        routes: {
          $connect: {
            handler: (event) => {
              probe.record(event);
              return ok();
            },
          },
        },
      },
      async (gateway) => {
        const client = await connect(gateway, { headers: { 'X-Test': '1' } });
        await client.end();
      },
    );
    const event = probe.events[0] as WebSocketConnectEvent;
    expect(event.requestContext.eventType).toBe('CONNECT');
    expect(event.requestContext.routeKey).toBe('$connect');
    expect(event.isBase64Encoded).toBe(false);
    expect(event).not.toHaveProperty('body');
    expect(event.requestContext).not.toHaveProperty('messageId');
    expect(event.headers['X-Test']).toBe('1');
    expect(event.multiValueHeaders['X-Test']).toEqual(['1']);
    for (const name of ['Host', 'X-Forwarded-For', 'X-Forwarded-Proto', 'Sec-WebSocket-Key']) {
      expect(event.headers).toHaveProperty([name]);
      expect(event.multiValueHeaders[name]).toEqual([event.headers[name]]);
    }
  });

  it('C08 passes the query string, last value winning, and omits both properties without one', async () => {
    const probe = new EventProbe();
    await withGateway(
      {
        routes: {
          $connect: {
            handler: (event) => {
              probe.record(event);
              return ok();
            },
          },
        },
      },
      async (gateway) => {
        for (const query of ['token=abc', 'x=1&x=2', undefined]) {
          const client = await connect(gateway, query === undefined ? {} : { query });
          await client.end();
        }
      },
    );
    const [withToken, repeated, without] = probe.events as WebSocketConnectEvent[];
    expect(withToken?.queryStringParameters).toEqual({ token: 'abc' });
    expect(withToken?.multiValueQueryStringParameters).toEqual({ token: ['abc'] });
    expect(repeated?.queryStringParameters).toEqual({ x: '2' });
    expect(repeated?.multiValueQueryStringParameters).toEqual({ x: ['1', '2'] });
    expect(without).not.toHaveProperty('queryStringParameters');
    expect(without).not.toHaveProperty('multiValueQueryStringParameters');
  });

  it('C09 fills requestContext with AWS-shaped ids, CLF time and the client identity', async () => {
    const probe = new EventProbe();
    const before = Date.now();
    await withGateway(
      {
        routes: {
          $connect: {
            handler: (event) => {
              probe.record(event);
              return ok();
            },
          },
        },
      },
      async (gateway) => {
        const client = await connect(gateway, { headers: { 'User-Agent': 'pushline-test/1.0' } });
        await client.end();
      },
    );
    const context = probe.events[0]?.requestContext;
    expect(context?.connectionId).toMatch(/^[A-Za-z0-9_-]{15}=$/);
    expect(context?.requestId).toMatch(/^[A-Za-z0-9_-]{15}=$/);
    expect(context?.extendedRequestId).toBe(context?.requestId);
    expect(context?.requestTime).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(context?.connectedAt).toBeGreaterThanOrEqual(before);
    expect(context?.connectedAt).toBeLessThanOrEqual(context?.requestTimeEpoch ?? 0);
    expect(context?.messageDirection).toBe('IN');
    expect(context?.identity).toEqual({ sourceIp: '127.0.0.1', userAgent: 'pushline-test/1.0' });
    expect(context?.stage).toBe('local');
  });

  it('C10 completes the handshake with exactly the subprotocol $connect chose', async () => {
    await withGateway(
      {
        routes: {
          $connect: {
            handler: () => Promise.resolve({ statusCode: 200, headers: { 'Sec-WebSocket-Protocol': 'b' } }),
          },
        },
      },
      async (gateway) => {
        const client = await connect(gateway, { protocols: ['a', 'b'] });
        expect(client.socket.protocol).toBe('b');
        expect(client.upgradeHeaders['sec-websocket-protocol']).toBe('b');
        await client.end();
      },
    );
  });

  it('C11 never picks a subprotocol itself: without one from $connect the 101 has none', async () => {
    await withGateway({ routes: { $connect: { handler: ok } } }, async (gateway) => {
      await expect(connect(gateway, { protocols: ['a', 'b'] })).rejects.toThrow('Server sent no subprotocol');
    });
  });

  it('C12 does not forward the body or other headers $connect returned', async () => {
    await withGateway(
      {
        routes: {
          $connect: {
            handler: () =>
              Promise.resolve({ statusCode: 200, body: 'welcome', headers: { 'X-Extra': 'yes' } }),
          },
        },
      },
      async (gateway) => {
        const client = await connect(gateway);
        expect(client.upgradeHeaders).not.toHaveProperty('x-extra');
        expect(await client.framesWithin(500)).toEqual([]);
        await client.end();
      },
    );
  });

  it('C13 answers a plain HTTP GET on the WebSocket URL with 426', async () => {
    await withGateway({ routes: {} }, async (gateway) => {
      const response = await http('GET', gateway.managementEndpoint);
      expect(response.status).toBe(426);
    });
  });
});
