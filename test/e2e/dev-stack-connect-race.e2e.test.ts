// The `$connect` race on `pnpm dev`'s stack (the Lambda handlers on dynalite, local-aws-sqs and
// the local gateway).
//
// The race: API Gateway answers 410 to a push for a connection whose `$connect` has returned
// but whose socket is not open yet. The gateway here opens sockets `openDelayMs` after
// `$connect` returns, as AWS does; a notification sent inside that window must not delete the
// record `$connect` just wrote, or the socket would open deaf (no record, no notifications).
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
import { eventually, TestClient } from '../../bench/support/ws-client.js';

const OPEN_DELAY_MS = 2_000;

let stack: DevStack;
const clients: TestClient[] = [];
const batches: BatchReport[] = [];

beforeAll(async () => {
  stack = await startDevStack(devConfigOnFreePorts(), {
    logLevel: 'SILENT',
    retryVisibilitySeconds: 0,
    timeouts: { openDelayMs: OPEN_DELAY_MS },
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

describe('pnpm dev stack: the $connect race', () => {
  it('keeps the record of a socket that a notification reached before it opened, so the socket is not deaf', async () => {
    const opening = TestClient.connect(`${stack.wsUrl}?token=${await tokenFor('racer')}`);
    // $connect has written the record; the socket opens OPEN_DELAY_MS later.
    await eventually(async () => (await recordsOf('racer')).length === 1, 5_000, 'the record of $connect');
    const runs = notifyUserRuns();
    await notifyUser('racer', 'early', 'sent while connecting');
    await eventually(
      () => notifyUserRuns() > runs,
      OPEN_DELAY_MS,
      'NotifyUser to run before the socket opens',
    );
    const client = await opening;
    clients.push(client);
    expect(await recordsOf('racer')).toHaveLength(1);
    await notifyUser('racer', 'later', 'sent once open');
    await client.waitForFrames(1, 10_000);
    expect(client.parsed()).toEqual([
      expect.objectContaining({ type: 'notification', id: 'later', seq: 2, data: 'sent once open' }),
    ]);
    // And what the socket could not get while connecting is in the stream.
    const resumed = await client.request({ action: 'resume', epoch: client.parsed()[0]?.epoch, seq: 0 });
    expect(resumed).toMatchObject({
      type: 'resumed',
      seq: 2,
      recovered: true,
      notifications: [
        { id: 'early', seq: 1, data: 'sent while connecting' },
        { id: 'later', seq: 2, data: 'sent once open' },
      ],
    });
  }, 30_000);
});
