// ApiGatewayConnectionPusher against the local gateway: real `ws` clients, and the unmodified
// AWS SDK v3 client over http to `@connections`. Faults that a real gateway answers with (429,
// 500) come from the gateway's fault hook; only a network failure is produced without a peer.
import { randomUUID } from 'node:crypto';
import {
  ApiGatewayManagementApiClient,
  ApiGatewayManagementApiServiceException,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { ApiGatewayConnectionPusher, managementEndpoint } from '@pushline/adapters/apigateway';
import { hasErrorCode, TransientError } from '@pushline/core';
import type { LocalGateway, ManagementFault, ManagementRequest } from '@pushline/local';
import { startLocalGateway } from '@pushline/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeConnectionPusherContract,
  type PeerSocket,
} from '../contracts/connection-pusher.contract.js';
import { connect, eventually, WAIT_MS, within } from '../support/local-gateway.js';

/** The SDK always signs; the gateway accepts any signature. No retries, so faults surface at once. */
function sdkClient(endpoint: string, maxAttempts = 1): ApiGatewayManagementApiClient {
  return new ApiGatewayManagementApiClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts,
  });
}

/** A gateway whose `$connect` tells the test which connection id each client (by `peer` query) got. */
async function gatewayWithPeers(
  fault?: (request: ManagementRequest) => ManagementFault | undefined,
): Promise<{
  gateway: LocalGateway;
  open: () => Promise<PeerSocket>;
}> {
  const idsByPeer = new Map<string, string>();
  const gone = new Set<string>();
  const gateway = await startLocalGateway({
    log: () => undefined,
    routes: {
      $connect: {
        handler: (event) => {
          const peer = event.queryStringParameters?.peer;
          if (peer !== undefined) idsByPeer.set(peer, event.requestContext.connectionId);
          return Promise.resolve({ statusCode: 200 });
        },
      },
      $disconnect: {
        handler: (event) => {
          gone.add(event.requestContext.connectionId);
          return Promise.resolve({ statusCode: 200 });
        },
      },
    },
    ...(fault === undefined ? {} : { managementFault: fault }),
  });
  const open = async (): Promise<PeerSocket> => {
    const peer = randomUUID();
    const client = await connect(gateway, { query: `peer=${peer}` });
    const connectionId = idsByPeer.get(peer);
    if (connectionId === undefined) throw new Error('$connect did not see the peer');
    return {
      connectionId,
      frames: client.frames,
      nextFrame: (ms) => client.nextFrame(ms),
      closed: async (ms) => {
        await client.closed(ms);
      },
      close: async () => {
        await client.end();
        // The gateway forgets the connection when its side of the socket closes; $disconnect follows.
        await eventually(() => gone.has(connectionId), WAIT_MS, '$disconnect');
      },
    };
  };
  return { gateway, open };
}

describeConnectionPusherContract('ApiGatewayConnectionPusher (local gateway, SDK v3 over http)', async () => {
  const { gateway, open } = await gatewayWithPeers();
  const client = sdkClient(gateway.managementEndpoint);
  return {
    pusher: new ApiGatewayConnectionPusher({ client }),
    open,
    dispose: async () => {
      client.destroy();
      await gateway.close();
    },
  };
});

describe('ApiGatewayConnectionPusher', () => {
  let gateway: LocalGateway;
  let open: () => Promise<PeerSocket>;
  let fault: ManagementFault | undefined;
  const faulted: ManagementRequest[] = [];

  beforeAll(async () => {
    ({ gateway, open } = await gatewayWithPeers((request) => {
      if (fault !== undefined) faulted.push(request);
      return fault;
    }));
  });

  afterAll(async () => {
    await gateway.close();
  });

  const cases = [
    { statusCode: 429, errorType: 'LimitExceededException' },
    { statusCode: 429, errorType: 'TooManyRequestsException' },
    { statusCode: 500, errorType: 'InternalServerErrorException' },
    { statusCode: 503, errorType: 'ServiceUnavailableException' },
  ] as const;

  it.each(cases)(
    'throws TransientError with the SDK error as cause when @connections answers $statusCode $errorType',
    async (injected) => {
      const peer = await open();
      const client = sdkClient(gateway.managementEndpoint);
      const pusher = new ApiGatewayConnectionPusher({ client });
      fault = injected;
      try {
        for (const call of [
          () => pusher.push(peer.connectionId, 'x'),
          () => pusher.info(peer.connectionId),
          () => pusher.disconnect(peer.connectionId),
        ]) {
          const error: unknown = await call().then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(TransientError);
          expect(hasErrorCode(error, 'TRANSIENT_FAILURE')).toBe(true);
          const cause = (error as TransientError).cause;
          expect(cause).toBeInstanceOf(ApiGatewayManagementApiServiceException);
          expect((cause as ApiGatewayManagementApiServiceException).name).toBe(injected.errorType);
          expect((cause as ApiGatewayManagementApiServiceException).$metadata.httpStatusCode).toBe(
            injected.statusCode,
          );
        }
      } finally {
        fault = undefined;
        client.destroy();
      }
      expect(peer.frames).toEqual([]);
      await peer.close();
    },
  );

  it('lets the SDK retry throttling before giving up, so a passing 429 is not an error', async () => {
    const peer = await open();
    const client = sdkClient(gateway.managementEndpoint, 3);
    const pusher = new ApiGatewayConnectionPusher({ client });
    fault = { statusCode: 429, errorType: 'LimitExceededException' };
    faulted.length = 0;
    const pushing = pusher.push(peer.connectionId, 'eventually');
    await eventually(() => faulted.length >= 1, WAIT_MS, 'the first attempt');
    fault = undefined;
    expect(await within(pushing, WAIT_MS, 'the push')).toEqual({ ok: true, value: undefined });
    expect(await peer.nextFrame(WAIT_MS)).toBe('eventually');
    client.destroy();
    await peer.close();
  });

  it('rethrows other errors unchanged: 403 ForbiddenException', async () => {
    const peer = await open();
    const client = sdkClient(gateway.managementEndpoint);
    const pusher = new ApiGatewayConnectionPusher({ client });
    fault = { statusCode: 403, errorType: 'ForbiddenException' };
    try {
      const error: unknown = await pusher.push(peer.connectionId, 'x').catch((e: unknown) => e);
      expect(error).not.toBeInstanceOf(TransientError);
      expect((error as Error).name).toBe('ForbiddenException');
    } finally {
      fault = undefined;
      client.destroy();
    }
    await peer.close();
  });

  it('rethrows a network failure unchanged (nothing listens on the endpoint)', async () => {
    const closed = await startLocalGateway({ routes: {}, log: () => undefined });
    const endpoint = closed.managementEndpoint;
    await closed.close();
    const client = sdkClient(endpoint);
    const error: unknown = await new ApiGatewayConnectionPusher({ client })
      .push('AAAAAAAAAAAAAAA=', 'x')
      .catch((e: unknown) => e);
    client.destroy();
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TransientError);
  });

  it('builds its own client from an endpoint and client settings', async () => {
    const peer = await open();
    const pusher = new ApiGatewayConnectionPusher({
      endpoint: gateway.managementEndpoint,
      clientConfig: { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } },
    });
    expect(await pusher.push(peer.connectionId, 'built')).toEqual({ ok: true, value: undefined });
    expect(await peer.nextFrame(WAIT_MS)).toBe('built');
    await peer.close();
  });

  it('reports the client address as sourceIp', async () => {
    const peer = await open();
    const described = await new ApiGatewayConnectionPusher({
      client: sdkClient(gateway.managementEndpoint),
    }).info(peer.connectionId);
    expect(described.ok && described.value.sourceIp).toBe('127.0.0.1');
    await peer.close();
  });

  it('derives the endpoint from requestContext values, https by default', () => {
    expect(managementEndpoint('abc123.execute-api.eu-west-1.amazonaws.com', 'production')).toBe(
      'https://abc123.execute-api.eu-west-1.amazonaws.com/production',
    );
    expect(managementEndpoint('127.0.0.1:3001', 'local', 'http')).toBe('http://127.0.0.1:3001/local');
  });
});
