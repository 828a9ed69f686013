import { PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { type DevStack, LOCAL_RESOURCES, startDevStack } from '@pushline/local/dev';
import { devConfigOnFreePorts } from '../../bench/support/dev-stack.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, TestClient } from '../../bench/support/ws-client.js';

let stack: DevStack;
const clients: TestClient[] = [];

beforeAll(async () => {
  const config = devConfigOnFreePorts({ PUSHLINE_AUTHORIZE_DEADLINE_SECONDS: '1' });
  stack = await startDevStack(config, { logLevel: 'SILENT', retryVisibilitySeconds: 0 });
}, 60_000);

afterAll(async () => {
  await stack.close();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

async function tokenFor(userId: string): Promise<string> {
  const response = await fetch(`${stack.httpUrl}/token`, {
    method: 'POST',
    body: JSON.stringify({ userId }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

async function connect(userId: string | null): Promise<TestClient> {
  const url = userId === null ? stack.wsUrl : `${stack.wsUrl}?token=${await tokenFor(userId)}`;
  const client = await TestClient.connect(url);
  clients.push(client);
  return client;
}

async function notifyUser(body: unknown): Promise<void> {
  await stack.aws.sqs.send(
    new SendMessageCommand({
      QueueUrl: stack.queues.NotifyUser.url,
      MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

async function registryIds(): Promise<string[]> {
  const { Items = [] } = await stack.aws.dynamoDb.send(
    new ScanCommand({ TableName: LOCAL_RESOURCES.tables.Connections }),
  );
  return Items.map((item) => item.connectionId?.S ?? '');
}

describe('pnpm dev stack: frames through the local API Gateway and the Lambda handlers', () => {
  it('answers ping with pong as a route response', async () => {
    const client = await connect('ping-user');
    expect(await client.request({ action: 'ping', name: 'Stepan' })).toEqual({
      type: 'pong',
      name: 'Stepan',
    });
  });

  it.each([
    ['not JSON', 'hello', 'MALFORMED_FRAME'],
    ['no action', '{"name":"x"}', 'MALFORMED_FRAME'],
    ['an unknown action', '{"action":"nope"}', 'UNKNOWN_ACTION'],
    ['authorize with a bad token', '{"action":"authorize","token":"bad"}', 'UNAUTHORIZED'],
  ])('answers %s with %s and keeps the socket', async (_what, frame, code) => {
    const client = await connect(null);
    expect(await client.request(frame)).toMatchObject({ type: 'error', code });
    expect(await client.request({ action: 'ping' })).toEqual({ type: 'pong' });
  });

  it('closes a socket that sends a 33 KB frame with 1009, as API Gateway does', async () => {
    const client = await connect('big-frame');
    client.send(JSON.stringify({ action: 'ping', name: 'x'.repeat(33 * 1024) }));
    expect((await client.closed).code).toBe(1009);
  });

  it('refuses a bad token at the handshake with 401', async () => {
    expect(await TestClient.refusedStatus(`${stack.wsUrl}?token=forged`)).toBe(401);
  });

  it('authorizes in-band and then notifies that user', async () => {
    const client = await connect(null);
    const token = await tokenFor('in-band-user');
    expect(await client.request({ action: 'authorize', token })).toEqual({
      type: 'authorized',
      userId: 'in-band-user',
    });
    await notifyUser({ userId: 'in-band-user', data: { hello: 'in-band' } });
    await client.waitForFrames(2);
    expect(client.parsed()[1]).toMatchObject({ type: 'notification', data: { hello: 'in-band' } });
  });

  it('closes an anonymous socket at the authorize deadline', async () => {
    const client = await connect(null);
    const closed = await client.closed;
    expect(closed.code).toBe(1000);
  });
});

describe('pnpm dev stack: notifications through SQS', () => {
  it('delivers one NotifyUser message to all three sockets of a user, and nothing to another user', async () => {
    const alice = [await connect('alice'), await connect('alice'), await connect('alice')];
    const bob = await connect('bob');
    await notifyUser({ userId: 'alice', data: { kind: 'hello', n: 1 }, id: 'n-1' });
    for (const client of alice) await client.waitForFrames(1);
    const [first] = alice[0]?.parsed() ?? [];
    for (const client of alice) {
      expect(client.parsed()).toEqual([
        { type: 'notification', id: 'n-1', seq: 1, epoch: first?.epoch, data: { kind: 'hello', n: 1 } },
      ]);
    }
    expect(typeof first?.epoch).toBe('string');
    expect(await bob.request({ action: 'ping' })).toEqual({ type: 'pong' });
    expect(bob.parsed()).toEqual([{ type: 'pong' }]);
  });

  it('removes the record of a socket that is gone and still delivers to the others', async () => {
    const live = await connect('carol');
    const ghost = 'GhostConnId0000=';
    await stack.aws.dynamoDb.send(
      new PutItemCommand({
        TableName: LOCAL_RESOURCES.tables.Connections,
        Item: {
          connectionId: { S: ghost },
          userId: { S: 'carol' },
          // A minute old: past the connect grace, so its 410 means gone, not still connecting.
          connectedAt: { N: String(Date.now() - 60_000) },
          expiresAt: { N: String(Math.ceil(Date.now() / 1000) + 3600) },
        },
      }),
    );
    await notifyUser({ userId: 'carol', data: 'after the ghost' });
    await live.waitForFrames(1);
    expect(live.parsed()[0]).toMatchObject({ data: 'after the ghost' });
    await eventually(
      async () => !(await registryIds()).includes(ghost),
      10_000,
      'the ghost record to be removed',
    );
  });

  it('moves a malformed NotifyUser message to the dead-letter queue, and delivers the next good one', async () => {
    const client = await connect('dave');
    await notifyUser('{"userId": 42}');
    await notifyUser({ userId: 'dave', data: 'good' });
    await client.waitForFrames(1);
    expect(client.parsed()).toEqual([expect.objectContaining({ data: 'good' })]);
    let dead: string[] = [];
    await eventually(
      async () => {
        const { Messages = [] } = await stack.aws.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: stack.queues.NotifyUser.deadLetterUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
          }),
        );
        dead = dead.concat(Messages.map((message) => message.Body ?? ''));
        return dead.length > 0;
      },
      15_000,
      'the malformed message in the dead-letter queue',
    );
    expect(dead).toEqual(['{"userId": 42}']);
  });
});

describe('pnpm dev stack: the download scenario over REST', () => {
  it('notifies the owner when an export is ready, and lets only the owner download it', async () => {
    const owner = await connect('erin');
    const token = await tokenFor('erin');
    const started = await fetch(`${stack.httpUrl}/exports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(started.status).toBe(202);
    const { exportId } = (await started.json()) as { exportId: string };
    await owner.waitForFrames(1);
    const [frame] = owner.parsed();
    expect(frame).toMatchObject({
      type: 'notification',
      data: { kind: 'export.ready', exportId, url: `/exports/${exportId}` },
    });
    const download = await fetch(`${stack.httpUrl}/exports/${exportId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(download.status).toBe(200);
    const stranger = await fetch(`${stack.httpUrl}/exports/${exportId}`, {
      headers: { authorization: `Bearer ${await tokenFor('mallory')}` },
    });
    expect(stranger.status).toBe(404);
    const anonymous = await fetch(`${stack.httpUrl}/exports/${exportId}`);
    expect(anonymous.status).toBe(401);
  });

  it('serves the demo page and its configuration', async () => {
    const page = await fetch(`${stack.httpUrl}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Pushline demo');
    const config = (await (await fetch(`${stack.httpUrl}/config.json`)).json()) as { wsUrl: string };
    expect(config.wsUrl).toBe(stack.wsUrl);
  });
});
