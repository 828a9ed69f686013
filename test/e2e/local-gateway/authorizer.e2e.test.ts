// Conformance ids C14–C22 (docs/api-gateway.md §4.2, §9): the Lambda REQUEST authorizer on $connect.
import type {
  LocalGatewayOptions,
  WebSocketAuthorizerEvent,
  WebSocketConnectEvent,
  WebSocketEvent,
} from '@pushline/local';
import { describe, expect, it } from 'vitest';
import { connect, EventProbe, eventually, refusedStatus, withGateway } from '../../support/local-gateway.js';

const METHOD = 'arn:aws:execute-api:us-east-1:000000000000:pushlocal1/local/$connect';

function policy(effect: 'Allow' | 'Deny', resource: string, context?: Record<string, unknown>): unknown {
  return {
    principalId: 'user-1',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
    },
    ...(context === undefined ? {} : { context }),
  };
}

/** A gateway whose authorizer is `authorize` and whose routes record every event. */
function options(
  authorize: (event: WebSocketAuthorizerEvent) => unknown,
  probe: EventProbe,
  calls: { authorizer: number; connect: number },
): LocalGatewayOptions {
  const record = (event: WebSocketEvent): Promise<{ statusCode: number }> => {
    probe.record(event);
    return Promise.resolve({ statusCode: 200 });
  };
  return {
    authorizer: {
      identitySources: ['route.request.querystring.token'],
      handler: async (event) => {
        calls.authorizer += 1;
        return await Promise.resolve(authorize(event));
      },
    },
    routes: {
      $connect: {
        handler: (event) => {
          calls.connect += 1;
          return record(event);
        },
      },
      $disconnect: { handler: record },
      $default: { handler: record },
    },
  };
}

const allowAll = (): unknown => policy('Allow', METHOD);

describe('local gateway: authorizer', () => {
  it('C14 answers 401 without invoking the authorizer when the token is missing or empty', async () => {
    const calls = { authorizer: 0, connect: 0 };
    await withGateway(options(allowAll, new EventProbe(), calls), async (gateway) => {
      expect(await refusedStatus(gateway)).toBe(401);
      expect(await refusedStatus(gateway, { query: 'token=' })).toBe(401);
      expect(await refusedStatus(gateway, { query: 'other=1' })).toBe(401);
    });
    expect(calls).toEqual({ authorizer: 0, connect: 0 });
  });

  it('C15 answers 401 when the authorizer fails with Unauthorized (thrown or via callback)', async () => {
    const calls = { authorizer: 0, connect: 0 };
    await withGateway(
      options(
        () => {
          throw new Error('Unauthorized');
        },
        new EventProbe(),
        calls,
      ),
      async (gateway) => {
        expect(await refusedStatus(gateway, { query: 'token=bad' })).toBe(401);
      },
    );
    await withGateway(
      {
        authorizer: {
          identitySources: ['route.request.querystring.token'],
          handler: (_event, _context, callback) => {
            callback('Unauthorized');
          },
        },
        routes: {},
      },
      async (gateway) => {
        expect(await refusedStatus(gateway, { query: 'token=bad' })).toBe(401);
      },
    );
    expect(calls).toEqual({ authorizer: 1, connect: 0 });
  });

  it('C16 answers 403 to a Deny policy and does not invoke $connect', async () => {
    const calls = { authorizer: 0, connect: 0 };
    await withGateway(
      options(() => policy('Deny', METHOD), new EventProbe(), calls),
      async (gateway) => {
        expect(await refusedStatus(gateway, { query: 'token=t' })).toBe(403);
      },
    );
    expect(calls).toEqual({ authorizer: 1, connect: 0 });
  });

  it('C17 answers 403 to an Allow policy that does not cover /{stage}/$connect', async () => {
    const calls = { authorizer: 0, connect: 0 };
    const other = 'arn:aws:execute-api:us-east-1:000000000000:pushlocal1/production/$connect';
    await withGateway(
      options(() => policy('Allow', other), new EventProbe(), calls),
      async (gateway) => {
        expect(await refusedStatus(gateway, { query: 'token=t' })).toBe(403);
      },
    );
    expect(calls.connect).toBe(0);
    await withGateway(
      options(() => policy('Allow', 'arn:aws:execute-api:*:*:pushlocal1/local/*'), new EventProbe(), calls),
      async (gateway) => {
        const client = await connect(gateway, { query: 'token=t' });
        await client.end();
      },
    );
    expect(calls.connect).toBe(1);
  });

  it('C18 answers 500 when the authorizer throws another error or returns malformed output', async () => {
    const outputs: (() => unknown)[] = [
      () => {
        throw new Error('database down');
      },
      () => ({}),
      () => ({ principalId: 'u' }),
      () => ({ policyDocument: { Statement: [] } }),
      () => 'Allow',
    ];
    for (const output of outputs) {
      const calls = { authorizer: 0, connect: 0 };
      await withGateway(options(output, new EventProbe(), calls), async (gateway) => {
        expect(await refusedStatus(gateway, { query: 'token=t' })).toBe(500);
      });
      expect(calls.connect).toBe(0);
    }
  });

  it('C19 refuses the connection (500) when the authorizer context holds an object or an array', async () => {
    for (const value of [{ nested: true }, [1, 2]]) {
      const calls = { authorizer: 0, connect: 0 };
      await withGateway(
        options(() => policy('Allow', METHOD, { value }), new EventProbe(), calls),
        async (gateway) => {
          expect(await refusedStatus(gateway, { query: 'token=t' })).toBe(500);
        },
      );
      expect(calls.connect).toBe(0);
    }
  });

  it('C20 gives the authorizer a REQUEST event with the methodArn, headers, query and CONNECT context', async () => {
    const seen: WebSocketAuthorizerEvent[] = [];
    const calls = { authorizer: 0, connect: 0 };
    await withGateway(
      options(
        (event) => {
          seen.push(event);
          return allowAll();
        },
        new EventProbe(),
        calls,
      ),
      async (gateway) => {
        const client = await connect(gateway, { query: 'token=abc&x=1', headers: { 'X-Test': 'yes' } });
        await client.end();
      },
    );
    const event = seen[0];
    expect(event?.type).toBe('REQUEST');
    expect(event?.methodArn).toBe(METHOD);
    expect(event?.methodArn.endsWith('/local/$connect')).toBe(true);
    expect(event?.headers['X-Test']).toBe('yes');
    expect(event?.multiValueHeaders['X-Test']).toEqual(['yes']);
    expect(event?.queryStringParameters).toEqual({ token: 'abc', x: '1' });
    expect(event?.multiValueQueryStringParameters).toEqual({ token: ['abc'], x: ['1'] });
    expect(event?.requestContext.eventType).toBe('CONNECT');
    expect(event?.requestContext.routeKey).toBe('$connect');
  });

  it('C21 hands $connect the authorizer context, stringified, with principalId and integrationLatency', async () => {
    const probe = new EventProbe();
    const calls = { authorizer: 0, connect: 0 };
    await withGateway(
      options(() => policy('Allow', METHOD, { userId: 'u1', n: 1, ok: true }), probe, calls),
      async (gateway) => {
        const client = await connect(gateway, { query: 'token=t' });
        await client.end();
      },
    );
    const event = probe.byType('CONNECT')[0] as WebSocketConnectEvent;
    expect(event.requestContext.authorizer).toEqual({
      principalId: 'user-1',
      integrationLatency: expect.any(Number) as unknown,
      userId: 'u1',
      n: '1',
      ok: 'true',
    });
  });

  it('C22 puts the same authorizer object on every MESSAGE and on $disconnect', async () => {
    const probe = new EventProbe();
    const calls = { authorizer: 0, connect: 0 };
    await withGateway(
      options(() => policy('Allow', METHOD, { userId: 'u1' }), probe, calls),
      async (gateway) => {
        const client = await connect(gateway, { query: 'token=t' });
        await client.send('one');
        await client.send('two');
        await eventually(() => probe.byType('MESSAGE').length === 2);
        await client.end();
        await eventually(() => probe.byType('DISCONNECT').length === 1);
      },
    );
    const [connectEvent, ...later] = probe.events;
    expect(later).toHaveLength(3);
    for (const event of later) {
      expect(event.requestContext.authorizer).toEqual(connectEvent?.requestContext.authorizer);
    }
  });
});
