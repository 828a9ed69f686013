// Resume on `pnpm dev`'s stack (the Lambda handlers on dynalite, local-aws-sqs and the local
// gateway): cycles of disconnect, a notification while the user has no socket, reconnect and
// resume lose and duplicate nothing.
import { type DevStack, startDevStack } from '@pushline/local/dev';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { devConfigOnFreePorts } from '../../bench/support/dev-stack.js';
import {
  type BatchReport,
  notifyUser as notifyUserOf,
  notifyUserRuns as runsOf,
  recordsOf as recordsIn,
  tokenFor as tokenOf,
} from '../support/dev-stack-helpers.js';
import { soakCount, soakTimeout } from '../support/soak.js';
import { eventually, TestClient } from '../../bench/support/ws-client.js';

let stack: DevStack;
const clients: TestClient[] = [];
const batches: BatchReport[] = [];

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

const tokenFor = (userId: string): Promise<string> => tokenOf(stack, userId);
const notifyUser = (userId: string, id: string, data: unknown): Promise<void> =>
  notifyUserOf(stack, userId, id, data);
const recordsOf = (userId: string): Promise<string[]> => recordsIn(stack, userId);
const notifyUserRuns = (): number => runsOf(batches);

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
