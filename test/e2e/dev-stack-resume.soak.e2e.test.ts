// Resume on `pnpm dev`'s stack (the Lambda handlers on dynalite, local-aws-sqs and the local
// gateway): cycles of disconnect, a notification while the user has no socket, reconnect and
// resume lose and duplicate nothing.
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { type DevStack, LOCAL_RESOURCES, startDevStack } from '@pushline/local/dev';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { devConfigOnFreePorts } from '../../bench/support/dev-stack.js';
import { soakCount, soakTimeout } from '../support/soak.js';
import { eventually, TestClient } from '../../bench/support/ws-client.js';

let stack: DevStack;
const clients: TestClient[] = [];
const batches: { functionName: string; records: number }[] = [];

beforeAll(async () => {
  stack = await startDevStack(devConfigOnFreePorts(), {
    logLevel: 'SILENT',
    retryVisibilitySeconds: 0,
    onBatch: (report) => batches.push(report),
  });
}, 60_000);

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

afterAll(async () => {
  await stack.close();
});

async function tokenFor(userId: string): Promise<string> {
  const response = await fetch(`${stack.httpUrl}/token`, {
    method: 'POST',
    body: JSON.stringify({ userId }),
  });
  return ((await response.json()) as { token: string }).token;
}

async function notifyUser(userId: string, id: string, data: unknown): Promise<void> {
  await stack.aws.sqs.send(
    new SendMessageCommand({
      QueueUrl: stack.queues.notifyUser.url,
      MessageBody: JSON.stringify({ userId, id, data }),
    }),
  );
}

async function recordsOf(userId: string): Promise<string[]> {
  const { Items = [] } = await stack.aws.dynamoDb.send(
    new ScanCommand({ TableName: LOCAL_RESOURCES.connectionsTable, ConsistentRead: true }),
  );
  return Items.filter((item) => item.userId?.S === userId).map((item) => item.connectionId?.S ?? '');
}

function notifyUserRuns(): number {
  return batches.filter((batch) => batch.functionName === 'notify-user').reduce((n, b) => n + b.records, 0);
}

describe('pnpm dev stack: resume', () => {
  const CYCLES = soakCount(5, 1_000);
  it(
    `loses and duplicates nothing over ${CYCLES} disconnect/notify/reconnect/resume cycles`,
    async () => {
      const token = await tokenFor('cycler');
      const seen: number[] = [];
      let position: { epoch: string; seq: number } | null = null;
      let sent = 0;
      for (let cycle = 0; cycle <= CYCLES; cycle++) {
        const client = await TestClient.connect(`${stack.wsUrl}?token=${token}`);
        clients.push(client);
        const resumed = (await client.request(
          position === null
            ? { action: 'resume', requestId: `c-${cycle}` }
            : { action: 'resume', ...position },
        )) as { epoch: string; seq: number; recovered: boolean; notifications: { seq: number }[] };
        expect(resumed.recovered).toBe(true);
        for (const notification of resumed.notifications) seen.push(notification.seq);
        position = { epoch: resumed.epoch, seq: resumed.seq };
        await client.close();
        if (cycle === CYCLES) break;
        // Sent while the user has no socket: only the stream has it.
        await eventually(async () => (await recordsOf('cycler')).length === 0, 10_000, 'the $disconnect');
        const runs = notifyUserRuns();
        sent += 1;
        await notifyUser('cycler', `missed-${cycle}`, cycle);
        await eventually(() => notifyUserRuns() > runs, 10_000, 'NotifyUser to run');
      }
      expect(seen).toEqual(Array.from({ length: sent }, (_, i) => i + 1));
    },
    soakTimeout(60_000, 3_600_000),
  );
});
