// Conformance ids C53–C69 (docs/api-gateway.md §6, §9): the @connections management endpoint, over
// plain HTTP and through the unmodified AWS SDK v3 client.
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { LocalGatewayOptions, WebSocketDisconnectEvent } from '@pushline/local';
import { describe, expect, it } from 'vitest';
import {
  connect,
  connectionUrl,
  EventProbe,
  eventually,
  http,
  sleep,
  whoami,
  whoamiRoute,
  withGateway,
} from '../../support/local-gateway.js';

function sdk(endpoint: string): ApiGatewayManagementApiClient {
  return new ApiGatewayManagementApiClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

/** The error a promise rejects with. */
async function rejection(
  promise: Promise<unknown>,
): Promise<{ name: string; $metadata: { httpStatusCode?: number } }> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error('expected a rejection');
  return error as Error & { $metadata: { httpStatusCode?: number } };
}

const routes: LocalGatewayOptions['routes'] = { whoami: whoamiRoute };

describe('local gateway: @connections', () => {
  it('C53 delivers a POST body verbatim as one text frame and answers 200', async () => {
    await withGateway({ routes }, async (gateway) => {
      const client = await connect(gateway);
      const id = await whoami(client);
      const response = await http('POST', connectionUrl(gateway, id), 'hi');
      expect(response.status).toBe(200);
      expect(await client.nextFrame()).toBe('hi');
      await client.end();
    });
  });

  it('C54 accepts @ sent as %40 and = in the id sent as %3D', async () => {
    await withGateway({ routes }, async (gateway) => {
      const client = await connect(gateway);
      const id = await whoami(client);
      const encoded = `${gateway.managementEndpoint}/%40connections/${id.replace('=', '%3D')}`;
      expect((await http('POST', encoded, 'encoded')).status).toBe(200);
      const raw = `${gateway.managementEndpoint}/@connections/${id}`;
      expect((await http('POST', raw, 'raw')).status).toBe(200);
      expect([await client.nextFrame(), await client.nextFrame()]).toEqual(['encoded', 'raw']);
      await client.end();
    });
  });

  it('C55 serves Post, Get and Delete to the unmodified SDK v3 client', async () => {
    await withGateway({ routes }, async (gateway) => {
      const client = await connect(gateway);
      const id = await whoami(client);
      const api = sdk(gateway.managementEndpoint);
      try {
        await api.send(
          new PostToConnectionCommand({ ConnectionId: id, Data: new TextEncoder().encode('from sdk') }),
        );
        expect(await client.nextFrame()).toBe('from sdk');
        const info = await api.send(new GetConnectionCommand({ ConnectionId: id }));
        expect(info.$metadata.httpStatusCode).toBe(200);
        expect(info.ConnectedAt).toBeInstanceOf(Date);
        const deleted = await api.send(new DeleteConnectionCommand({ ConnectionId: id }));
        expect(deleted.$metadata.httpStatusCode).toBe(204);
        await client.closed();
      } finally {
        api.destroy();
      }
    });
  });

  it('C56 answers a POST to a closed or never-seen id with 410 GoneException, typed for the SDK', async () => {
    await withGateway({ routes }, async (gateway) => {
      const client = await connect(gateway);
      const closedId = await whoami(client);
      await client.end();
      await eventually(() => !gateway.connectionIds().includes(closedId));
      const api = sdk(gateway.managementEndpoint);
      try {
        for (const id of [closedId, 'AAAAAAAAAAAAAAA=']) {
          const response = await http('POST', connectionUrl(gateway, id), 'x');
          expect(response.status).toBe(410);
          expect(response.headers.get('x-amzn-ErrorType')).toBe('GoneException');
          const error = await rejection(
            api.send(new PostToConnectionCommand({ ConnectionId: id, Data: new TextEncoder().encode('x') })),
          );
          expect(error.name).toBe('GoneException');
          expect(error.$metadata.httpStatusCode).toBe(410);
        }
      } finally {
        api.destroy();
      }
    });
  });

  it('C57 answers 413 PayloadTooLargeException to 131073 bytes and delivers 131072', async () => {
    await withGateway({ routes }, async (gateway) => {
      const client = await connect(gateway);
      const id = await whoami(client);
      const api = sdk(gateway.managementEndpoint);
      try {
        const tooLarge = await http('POST', connectionUrl(gateway, id), 'x'.repeat(131073));
        expect(tooLarge.status).toBe(413);
        expect(tooLarge.headers.get('x-amzn-ErrorType')).toBe('PayloadTooLargeException');
        const error = await rejection(
          api.send(
            new PostToConnectionCommand({ ConnectionId: id, Data: new Uint8Array(131073).fill(0x79) }),
          ),
        );
        expect(error.name).toBe('PayloadTooLargeException');
        expect(error.$metadata.httpStatusCode).toBe(413);
        const fits = 'z'.repeat(131072);
        expect((await http('POST', connectionUrl(gateway, id), fits)).status).toBe(200);
        expect(await client.nextFrame()).toBe(fits);
        expect(client.frames).toHaveLength(2);
      } finally {
        api.destroy();
      }
      await client.end();
    });
  });

  it('C58 delivers a 40 KB POST as one message', async () => {
    await withGateway({ routes }, async (gateway) => {
      const client = await connect(gateway);
      const id = await whoami(client);
      const text = '0123456789'.repeat(4096);
      expect((await http('POST', connectionUrl(gateway, id), text)).status).toBe(200);
      expect(await client.nextFrame()).toBe(text);
      await client.end();
    });
  });

  it('C59 describes a connection: ISO times and the identity of the handshake', async () => {
    await withGateway({ routes }, async (gateway) => {
      const client = await connect(gateway, { headers: { 'User-Agent': 'pushline-c59/1.0' } });
      const id = await whoami(client);
      const response = await http('GET', connectionUrl(gateway, id));
      expect(response.status).toBe(200);
      const body = JSON.parse(response.body) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(['connectedAt', 'identity', 'lastActiveAt']);
      expect(body.connectedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(body.lastActiveAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(body.identity).toEqual({ sourceIp: '127.0.0.1', userAgent: 'pushline-c59/1.0' });
      const api = sdk(gateway.managementEndpoint);
      try {
        const info = await api.send(new GetConnectionCommand({ ConnectionId: id }));
        expect(info.ConnectedAt).toBeInstanceOf(Date);
        expect(info.LastActiveAt).toBeInstanceOf(Date);
        expect(info.Identity).toEqual({ SourceIp: '127.0.0.1', UserAgent: 'pushline-c59/1.0' });
      } finally {
        api.destroy();
      }
      await client.end();
    });
  });

  it('C60 advances lastActiveAt when the client sends a message', async () => {
    await withGateway({ routes }, async (gateway) => {
      const client = await connect(gateway);
      const id = await whoami(client);
      const read = async (): Promise<number> =>
        Date.parse(
          (JSON.parse((await http('GET', connectionUrl(gateway, id))).body) as { lastActiveAt: string })
            .lastActiveAt,
        );
      const before = await read();
      await sleep(50);
      await whoami(client);
      expect(await read()).toBeGreaterThan(before);
      await client.end();
    });
  });

  it('C61 answers GET on an unknown id with 410 GoneException', async () => {
    await withGateway({ routes }, async (gateway) => {
      const response = await http('GET', connectionUrl(gateway, 'AAAAAAAAAAAAAAA='));
      expect(response.status).toBe(410);
      expect(response.headers.get('x-amzn-ErrorType')).toBe('GoneException');
    });
  });

  it('C62 answers DELETE with 204 and no body, closes the socket, and answers 410 afterwards', async () => {
    await withGateway({ routes }, async (gateway) => {
      const client = await connect(gateway);
      const id = await whoami(client);
      const deleted = await http('DELETE', connectionUrl(gateway, id));
      expect(deleted.status).toBe(204);
      expect(deleted.body).toBe('');
      await client.closed();
      for (const method of ['POST', 'GET', 'DELETE']) {
        const response = await http(method, connectionUrl(gateway, id), method === 'POST' ? 'x' : undefined);
        expect(response.status).toBe(410);
        expect(response.headers.get('x-amzn-ErrorType')).toBe('GoneException');
      }
    });
  });

  it('C63 reports 1000 "Connection Closed Normally" on $disconnect after a DELETE', async () => {
    const probe = new EventProbe();
    await withGateway(
      {
        routes: {
          ...routes,
          $disconnect: {
            handler: (event) => {
              probe.record(event);
              return Promise.resolve({ statusCode: 200 });
            },
          },
        },
      },
      async (gateway) => {
        const client = await connect(gateway);
        const id = await whoami(client);
        expect((await http('DELETE', connectionUrl(gateway, id))).status).toBe(204);
        await eventually(() => probe.events.length === 1);
        expect((probe.events[0] as WebSocketDisconnectEvent).requestContext).toMatchObject({
          disconnectStatusCode: 1000,
          disconnectReason: 'Connection Closed Normally',
        });
      },
    );
  });

  it('C64 answers DELETE on an unknown id with 410 GoneException', async () => {
    await withGateway({ routes }, async (gateway) => {
      const response = await http('DELETE', connectionUrl(gateway, 'AAAAAAAAAAAAAAA='));
      expect(response.status).toBe(410);
      expect(response.headers.get('x-amzn-ErrorType')).toBe('GoneException');
    });
  });

  it('C65 answers 410 to a POST to the connection being opened, inside $connect, and still opens it', async () => {
    const statuses: number[] = [];
    await withGateway(
      {
        routes: {
          ...routes,
          $connect: {
            handler: async (event) => {
              const { domainName, stage, connectionId } = event.requestContext;
              const url = `http://${domainName}/${stage}/@connections/${encodeURIComponent(connectionId)}`;
              statuses.push((await http('POST', url, 'welcome')).status);
              return { statusCode: 200 };
            },
          },
        },
      },
      async (gateway) => {
        const client = await connect(gateway);
        expect(statuses).toEqual([410]);
        expect(await whoami(client)).toMatch(/=$/);
        expect(client.frames).toHaveLength(1);
        await client.end();
      },
    );
  });

  it('C66 delivers a POST to another live connection made inside $connect', async () => {
    let listenerId: string | undefined;
    await withGateway(
      {
        routes: {
          ...routes,
          $connect: {
            handler: async (event) => {
              if (listenerId !== undefined) {
                const { domainName, stage, connectionId } = event.requestContext;
                const url = `http://${domainName}/${stage}/@connections/${encodeURIComponent(listenerId)}`;
                await http('POST', url, `joined:${connectionId}`);
              }
              return { statusCode: 200 };
            },
          },
        },
      },
      async (gateway) => {
        const listener = await connect(gateway);
        listenerId = await whoami(listener);
        const joiner = await connect(gateway);
        const joinerId = await whoami(joiner);
        expect(await listener.nextFrame()).toBe(`joined:${joinerId}`);
        await joiner.end();
        await listener.end();
      },
    );
  });

  it('C67 answers 410 to a POST to the closing connection, inside $disconnect', async () => {
    const statuses: number[] = [];
    await withGateway(
      {
        routes: {
          ...routes,
          $disconnect: {
            handler: async (event) => {
              const { domainName, stage, connectionId } = event.requestContext;
              const url = `http://${domainName}/${stage}/@connections/${encodeURIComponent(connectionId)}`;
              statuses.push((await http('POST', url, 'bye')).status);
              return { statusCode: 200 };
            },
          },
        },
      },
      async (gateway) => {
        const client = await connect(gateway);
        await client.end();
        await eventually(() => statuses.length === 1);
      },
    );
    expect(statuses).toEqual([410]);
  });

  it('C68 answers a malformed id with 400 BadRequestException, not 410', async () => {
    await withGateway({ routes }, async (gateway) => {
      for (const raw of ['abc%20def', 'abc/def', 'a%2Fb', '%E0%A4%A', 'a b']) {
        const response = await http('POST', `${gateway.managementEndpoint}/@connections/${raw}`, 'x');
        expect([raw, response.status]).toEqual([raw, 400]);
        expect(response.headers.get('x-amzn-ErrorType')).toBe('BadRequestException');
      }
    });
  });

  it('C69 lets handlers reach @connections at http://{domainName}/{stage} with the SDK', async () => {
    await withGateway(
      {
        routes: {
          echo: {
            handler: async (event) => {
              const { domainName, stage, connectionId } = event.requestContext;
              const api = sdk(`http://${domainName}/${stage}`);
              try {
                await api.send(
                  new PostToConnectionCommand({
                    ConnectionId: connectionId,
                    Data: new TextEncoder().encode('via sdk'),
                  }),
                );
              } finally {
                api.destroy();
              }
              return { statusCode: 200 };
            },
          },
        },
      },
      async (gateway) => {
        const client = await connect(gateway);
        await client.send('{"action":"echo"}');
        expect(await client.nextFrame()).toBe('via sdk');
        await client.end();
      },
    );
  });
});
