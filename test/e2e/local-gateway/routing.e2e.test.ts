// Conformance ids C23–C32 (docs/api-gateway.md §3, §9): route selection on $request.body.action.
import type { LocalGatewayRoutes, WebSocketEvent, WebSocketMessageEvent } from '@pushline/local';
import { describe, expect, it } from 'vitest';
import { connect, EventProbe, eventually, withGateway } from '../../support/local-gateway.js';

/** Two-way routes that answer with the route key they ran as, recording each event. */
function routesNamed(keys: readonly string[], probe: EventProbe): LocalGatewayRoutes {
  const answer = (event: WebSocketEvent): Promise<{ statusCode: number; body: string }> => {
    probe.record(event);
    return Promise.resolve({ statusCode: 200, body: `route:${event.requestContext.routeKey}` });
  };
  return Object.fromEntries(keys.map((key) => [key, { handler: answer, twoWay: true }]));
}

/** Sends each frame and returns the route each one reached. */
async function routeOf(keys: readonly string[], frames: readonly string[]): Promise<string[]> {
  const probe = new EventProbe();
  return withGateway({ routes: routesNamed(keys, probe) }, async (gateway) => {
    const client = await connect(gateway);
    const reached: string[] = [];
    for (const frame of frames) {
      await client.send(frame);
      reached.push(await client.nextFrame());
    }
    await client.end();
    return reached;
  });
}

describe('local gateway: route selection', () => {
  it('C23 routes {"action":"ping","name":"x"} to the ping route', async () => {
    const probe = new EventProbe();
    await withGateway(
      {
        routes: {
          ping: {
            handler: (event: WebSocketMessageEvent) => {
              probe.record(event);
              const { name } = JSON.parse(event.body) as { name: string };
              return Promise.resolve({ statusCode: 200, body: JSON.stringify({ type: 'pong', name }) });
            },
            twoWay: true,
          },
          $default: { handler: () => Promise.resolve({ statusCode: 200, body: 'default' }), twoWay: true },
        },
      },
      async (gateway) => {
        const client = await connect(gateway);
        await client.send('{"action":"ping","name":"x"}');
        expect(await client.nextFrame()).toBe('{"type":"pong","name":"x"}');
        await client.end();
      },
    );
    expect(probe.events[0]?.requestContext.routeKey).toBe('ping');
  });

  it('C24 routes a text frame that is not JSON to $default, with the body as sent', async () => {
    const probe = new EventProbe();
    await withGateway({ routes: routesNamed(['$default'], probe) }, async (gateway) => {
      const client = await connect(gateway);
      await client.send('hello');
      expect(await client.nextFrame()).toBe('route:$default');
      await client.end();
    });
    expect((probe.events[0] as WebSocketMessageEvent).body).toBe('hello');
  });

  it('C25 routes a JSON object without action to $default', async () => {
    expect(await routeOf(['ping', '$default'], ['{"name":"x"}'])).toEqual(['route:$default']);
  });

  it('C26 routes an unknown action to $default, with routeKey $default in the event', async () => {
    const probe = new EventProbe();
    await withGateway({ routes: routesNamed(['ping', '$default'], probe) }, async (gateway) => {
      const client = await connect(gateway);
      await client.send('{"action":"nope"}');
      expect(await client.nextFrame()).toBe('route:$default');
      await client.end();
    });
    expect(probe.events[0]?.requestContext.routeKey).toBe('$default');
  });

  it('C27 matches route keys exactly and case-sensitively', async () => {
    expect(
      await routeOf(['ping', '$default'], ['{"action":"PING"}', '{"action":"ping "}', '{"action":"ping"}']),
    ).toEqual(['route:$default', 'route:$default', 'route:ping']);
  });

  it('C28 routes JSON that is not an object to $default', async () => {
    const frames = ['[1]', '"x"', '42', 'null', '[{"action":"ping"}]'];
    expect(await routeOf(['ping', '$default'], frames)).toEqual(frames.map(() => 'route:$default'));
  });

  it('C29 answers an unroutable message with a Forbidden frame when there is no $default, and stays open', async () => {
    const probe = new EventProbe();
    await withGateway(
      { routes: { ...routesNamed(['ping'], probe), whoami: routesNamed(['whoami'], probe).whoami } },
      async (gateway) => {
        const client = await connect(gateway);
        await client.send('{"action":"whoami"}');
        await client.nextFrame();
        const connectionId = probe.events[0]?.requestContext.connectionId ?? '';
        await client.send('{"action":"nope"}');
        const frame = await client.nextFrame();
        expect(frame).toMatch(
          /^\{"message": "Forbidden", "connectionId":"[A-Za-z0-9_-]{15}=", "requestId":"[A-Za-z0-9_-]{15}="\}$/,
        );
        expect((JSON.parse(frame) as { connectionId: string }).connectionId).toBe(connectionId);
        expect(client.isOpen()).toBe(true);
        await client.send('{"action":"ping"}');
        expect(await client.nextFrame()).toBe('route:ping');
        await client.end();
      },
    );
  });

  it('C30 stringifies the selected value: {"action":123} selects route 123', async () => {
    expect(
      await routeOf(['123', 'true', '$default'], ['{"action":123}', '{"action":true}', '{"action":"123"}']),
    ).toEqual(['route:123', 'route:true', 'route:123']);
  });

  it('C31 sends a MESSAGE event with the body byte-identical and no headers or query string', async () => {
    const probe = new EventProbe();
    const frame = '  {"action" : "ping",\n "name":"é 🚀"}  ';
    await withGateway({ routes: routesNamed(['ping'], probe) }, async (gateway) => {
      const client = await connect(gateway, { query: 'token=abc' });
      await client.send(frame);
      await client.nextFrame();
      await client.end();
    });
    const event = probe.events[0] as WebSocketMessageEvent;
    expect(event.requestContext.eventType).toBe('MESSAGE');
    expect(event.requestContext.routeKey).toBe('ping');
    expect(event.body).toBe(frame);
    expect(event.isBase64Encoded).toBe(false);
    expect(event.requestContext.messageId).toMatch(/^[A-Za-z0-9_-]{15}=$/);
    expect(event).not.toHaveProperty('headers');
    expect(event).not.toHaveProperty('multiValueHeaders');
    expect(event).not.toHaveProperty('queryStringParameters');
  });

  it('C32 gives each message a new requestId and messageId, and keeps connectionId and connectedAt', async () => {
    const probe = new EventProbe();
    await withGateway(
      {
        routes: {
          $connect: {
            handler: (event) => {
              probe.record(event);
              return Promise.resolve({ statusCode: 200 });
            },
          },
          ...routesNamed(['$default'], probe),
        },
      },
      async (gateway) => {
        const client = await connect(gateway);
        for (const text of ['a', 'b', 'c']) {
          await client.send(text);
          await client.nextFrame();
        }
        await client.end();
      },
    );
    await eventually(() => probe.events.length === 4);
    const contexts = probe.events.map((event) => event.requestContext);
    expect(new Set(contexts.map((c) => c.requestId)).size).toBe(4);
    expect(new Set(contexts.slice(1).map((c) => c.messageId)).size).toBe(3);
    expect(new Set(contexts.map((c) => c.connectionId)).size).toBe(1);
    expect(new Set(contexts.map((c) => c.connectedAt)).size).toBe(1);
  });
});
