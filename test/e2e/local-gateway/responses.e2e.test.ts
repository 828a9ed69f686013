// Conformance ids C33–C40 (docs/api-gateway.md §5, §9): route responses and the gateway's error frames.
import { describe, expect, it } from 'vitest';
import {
  connect,
  connectionUrl,
  EventProbe,
  eventually,
  http,
  memoryLog,
  whoami,
  whoamiRoute,
  withGateway,
} from '../../support/local-gateway.js';

const ERROR_FRAME =
  /^\{"message": "([^"]+)", "connectionId":"([A-Za-z0-9_-]{15}=)", "requestId":"([A-Za-z0-9_-]{15}=)"\}$/;

describe('local gateway: responses and error frames', () => {
  it('C33 sends nothing back from a one-way route, whatever the handler returns', async () => {
    await withGateway(
      { routes: { $default: { handler: () => Promise.resolve({ statusCode: 200, body: 'x' }) } } },
      async (gateway) => {
        const client = await connect(gateway);
        await client.send('hello');
        expect(await client.framesWithin(500)).toEqual([]);
        await client.end();
      },
    );
  });

  it('C34 sends the body of a two-way route as exactly one text frame', async () => {
    await withGateway(
      {
        routes: {
          $default: { handler: () => Promise.resolve({ statusCode: 200, body: 'x' }), twoWay: true },
        },
      },
      async (gateway) => {
        const client = await connect(gateway);
        await client.send('hello');
        expect(await client.nextFrame()).toBe('x');
        expect(await client.framesWithin(500)).toEqual([]);
        expect(client.frames).toEqual(['x']);
        await client.end();
      },
    );
  });

  it('C35 keeps the socket open when a message handler returns a non-2xx status, and sends nothing one-way', async () => {
    await withGateway(
      {
        routes: {
          $default: { handler: () => Promise.resolve({ statusCode: 500, body: 'no' }) },
          whoami: whoamiRoute,
        },
      },
      async (gateway) => {
        const client = await connect(gateway);
        for (const text of ['a', 'b']) await client.send(text);
        expect(await client.framesWithin(500)).toEqual([]);
        expect(client.isOpen()).toBe(true);
        expect(await whoami(client)).toMatch(/=$/);
        await client.end();
      },
    );
  });

  it('C36 answers a throwing handler with an Internal server error frame, one-way and two-way, and stays open', async () => {
    const fail = (): Promise<never> => Promise.reject(new Error('bug'));
    await withGateway(
      { routes: { oneway: { handler: fail }, twoway: { handler: fail, twoWay: true }, whoami: whoamiRoute } },
      async (gateway) => {
        const client = await connect(gateway);
        const connectionId = await whoami(client);
        for (const action of ['oneway', 'twoway']) {
          await client.send(`{"action":"${action}"}`);
          const match = ERROR_FRAME.exec(await client.nextFrame());
          expect(match?.[1]).toBe('Internal server error');
          expect(match?.[2]).toBe(connectionId);
        }
        expect(client.isOpen()).toBe(true);
        expect(await whoami(client)).toBe(connectionId);
        await client.end();
      },
    );
  });

  it("C37 puts the failed request's requestId in the error frame", async () => {
    const probe = new EventProbe();
    await withGateway(
      {
        routes: {
          $default: {
            handler: (event) => {
              probe.record(event);
              return Promise.reject(new Error('bug'));
            },
          },
        },
      },
      async (gateway) => {
        const client = await connect(gateway);
        await client.send('x');
        const match = ERROR_FRAME.exec(await client.nextFrame());
        expect(match?.[3]).toBe(probe.events[0]?.requestContext.requestId);
        await client.end();
      },
    );
  });

  it('C38 answers a handler that runs past the integration timeout with Endpoint request timed out', async () => {
    let release = (): void => undefined;
    const slow = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      await withGateway(
        {
          timeouts: { integrationMs: 200 },
          routes: {
            $default: {
              handler: async () => {
                await slow;
                return { statusCode: 200, body: 'late' };
              },
              twoWay: true,
            },
          },
        },
        async (gateway) => {
          const client = await connect(gateway);
          await client.send('x');
          const match = ERROR_FRAME.exec(await client.nextFrame());
          expect(match?.[1]).toBe('Endpoint request timed out');
          release();
          expect(await client.framesWithin(300)).toEqual([]);
          expect(client.isOpen()).toBe(true);
          await client.end();
        },
      );
    } finally {
      release();
    }
  });

  it('C39 ignores errors and results of $disconnect: no frame, no crash', async () => {
    const { entries, log } = memoryLog();
    let calls = 0;
    await withGateway(
      {
        log,
        routes: {
          $disconnect: {
            handler: () => {
              calls += 1;
              return calls === 1
                ? Promise.reject(new Error('cleanup failed'))
                : Promise.resolve({ statusCode: 500, body: 'x' });
            },
          },
          whoami: whoamiRoute,
        },
      },
      async (gateway) => {
        const first = await connect(gateway);
        await first.end();
        const second = await connect(gateway);
        await second.end();
        await eventually(() => calls === 2);
        const third = await connect(gateway);
        expect(await whoami(third)).toMatch(/=$/);
        expect(third.frames).toHaveLength(1);
        await third.end();
      },
    );
    expect(
      entries.some((entry) => entry.routeKey === '$disconnect' && entry.error === 'cleanup failed'),
    ).toBe(true);
  });

  it('C40 sends its own frames as text: error frames, route responses and POSTed data', async () => {
    await withGateway(
      {
        routes: {
          fail: { handler: () => Promise.reject(new Error('bug')) },
          whoami: whoamiRoute,
          $default: {
            handler: () => Promise.resolve({ statusCode: 200, body: '{"ok":true}' }),
            twoWay: true,
          },
        },
      },
      async (gateway) => {
        const client = await connect(gateway);
        const connectionId = await whoami(client);
        await client.send('{"action":"fail"}');
        await client.nextFrame();
        await client.send('anything');
        await client.nextFrame();
        expect(
          (await http('POST', connectionUrl(gateway, connectionId), Buffer.from([0x68, 0x69]))).status,
        ).toBe(200);
        expect(await client.nextFrame()).toBe('hi');
        expect(client.frames).toHaveLength(4);
        expect(client.binaryFrames).toEqual([]);
        await client.end();
      },
    );
  });
});
