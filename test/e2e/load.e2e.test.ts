// The reliability issue's load case: many sockets of many users, notifications through the
// NotifyUser queue of the dev stack, 1 % of `@connections` pushes failing transiently. Every
// socket must end with exactly its user's notifications (deduplicated by id); duplicates are
// allowed (delivery is at least once) and reported. `pnpm test` runs bounded counts,
// `pnpm test:soak` (PUSHLINE_SOAK=1) the full counts; the summary goes to
// .reports/load-<bounded|soak>.json (beside vitest's own report).
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { type BatchReport, type DevStack, startDevStack } from '@pushline/local/dev';
import type { ManagementFault, ManagementRequest } from '@pushline/local';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devConfigOnFreePorts } from '../../bench/support/dev-stack.js';
import { SOAK, soakCount, soakTimeout } from '../support/soak.js';
import { eventually, TestClient } from '../../bench/support/ws-client.js';

const USERS = soakCount(20, 100);
const SOCKETS_PER_USER = 10;
const NOTIFICATIONS_PER_USER = soakCount(5, 20);
/** Every this-many-th PostToConnection call is answered with a transient fault: 1 %. */
const FAULT_EVERY = 100;
/** The pusher's SDK attempts (maxAttempts 3) in NotifyUser's direct push, then on the queue. */
const STICKY_FAILURES = 6;
/** Handshakes in flight at once, and SendMessageBatch calls in flight at once. */
const CONNECT_CONCURRENCY = 50;
const ENQUEUE_CONCURRENCY = 8;
const SQS_BATCH = 10;
const DELIVERY_TIMEOUT_MS = soakTimeout(20_000, 180_000);
const RETRY_VISIBILITY_SECONDS = 1;
const MODE = SOAK ? 'soak' : 'bounded';
const REPORTS = fileURLToPath(new URL('../../.reports', import.meta.url));

interface Notification {
  readonly userId: string;
  readonly id: string;
  readonly data: { readonly userId: string; readonly seq: number };
}

/** One socket's view: the ids it has seen, folded in as frames arrive. */
interface Receiver {
  readonly userId: string;
  readonly client: TestClient;
  readonly ids: Set<string>;
  /** Frames folded in so far. */
  read: number;
  /** Frames that are not a notification of this socket's user, exactly as sent. */
  readonly unexpected: string[];
}

/**
 * How the `@connections` API fails. `call`: every {@link FAULT_EVERY}-th PostToConnection, the
 * issue's 1 % of calls; the SDK's own retries absorb these. `push`: every {@link FAULT_EVERY}-th
 * distinct push (connection and frame) fails its first {@link STICKY_FAILURES} calls, so the
 * fault outlasts the SDK's retries twice: in NotifyUser's direct push, then on the
 * NotifyConnection queue, and the poller's redelivery delivers it.
 */
type FaultMode = 'call' | 'push';

/** Answers the chosen PostToConnection calls with 500 and 429 alternately, and counts them. */
class TransientFaults {
  posts = 0;
  injected = 0;
  pushes = 0;
  faultedPushes = 0;
  private readonly seen = new Set<string>();
  private readonly failing = new Map<string, number>();

  constructor(readonly mode: FaultMode) {}

  readonly hook = (request: ManagementRequest): ManagementFault | undefined => {
    if (request.operation !== 'PostToConnection') return undefined;
    this.posts += 1;
    if (this.mode === 'call') return this.posts % FAULT_EVERY === 0 ? this.fault() : undefined;
    const key = `${request.connectionId} ${request.body.toString('utf8')}`;
    if (!this.seen.has(key)) {
      this.seen.add(key);
      this.pushes += 1;
      if (this.pushes % FAULT_EVERY === 0) {
        this.faultedPushes += 1;
        this.failing.set(key, STICKY_FAILURES);
      }
    }
    const left = this.failing.get(key) ?? 0;
    if (left === 0) return undefined;
    this.failing.set(key, left - 1);
    return this.fault();
  };

  private fault(): ManagementFault {
    this.injected += 1;
    return this.injected % 2 === 1
      ? { statusCode: 500, errorType: 'InternalServerErrorException', message: 'Internal server error' }
      : { statusCode: 429, errorType: 'LimitExceededException', message: 'Rate exceeded' };
  }
}

/** What the SQS consumers did, from the stack's batch reports. */
class BatchTally {
  readonly records = new Map<string, number>();
  failedRecords = 0;
  errors = 0;

  readonly onBatch = (report: BatchReport): void => {
    this.records.set(report.functionName, (this.records.get(report.functionName) ?? 0) + report.records);
    this.failedRecords += report.failed.length;
    if (report.error !== null) this.errors += 1;
  };
}

let faults = new TransientFaults('call');
let tally = new BatchTally();
const receivers: Receiver[] = [];
const summaries: Record<string, unknown> = {};
let stack: DevStack | undefined;

beforeAll(async () => {
  stack = await startDevStack(devConfigOnFreePorts(), {
    logLevel: 'SILENT',
    retryVisibilitySeconds: RETRY_VISIBILITY_SECONDS,
    managementFault: (request) => faults.hook(request),
    onBatch: (report) => {
      tally.onBatch(report);
    },
  });
}, 60_000);

afterAll(async () => {
  try {
    await closeReceivers();
  } finally {
    await stack?.close();
  }
}, 60_000);

async function closeReceivers(): Promise<void> {
  await Promise.allSettled(receivers.splice(0).map((receiver) => receiver.client.close()));
}

function running(): DevStack {
  if (stack === undefined) throw new Error('the dev stack did not start');
  return stack;
}

async function tokenFor(userId: string): Promise<string> {
  const response = await fetch(`${running().httpUrl}/token`, {
    method: 'POST',
    body: JSON.stringify({ userId }),
  });
  if (response.status !== 200) throw new Error(`POST /token for ${userId} answered ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

/** Runs `work` over `items` with at most `limit` calls in flight. */
async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Folds a socket's new frames into its id set; true once it has every id of its user. */
function catchUp(receiver: Receiver, expected: ReadonlyMap<string, Notification>, perUser: number): boolean {
  const { frames } = receiver.client;
  for (; receiver.read < frames.length; receiver.read++) {
    const frame = frames[receiver.read] as string;
    const id = notificationIdOf(frame, receiver.userId, expected);
    if (id === null) receiver.unexpected.push(frame);
    else receiver.ids.add(id);
  }
  return receiver.ids.size === perUser;
}

/** The id of a well-formed notification frame for `userId` with the data as sent, else null. */
function notificationIdOf(
  frame: string,
  userId: string,
  expected: ReadonlyMap<string, Notification>,
): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(frame);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || !('id' in parsed) || typeof parsed.id !== 'string')
    return null;
  const notification = expected.get(parsed.id);
  if (notification?.userId !== userId) return null;
  const position = parsed as { seq?: unknown; epoch?: unknown };
  const wellFormed = isDeepStrictEqual(parsed, {
    type: 'notification',
    id: notification.id,
    seq: position.seq,
    epoch: position.epoch,
    data: notification.data,
  });
  return wellFormed ? notification.id : null;
}

async function queueDepth(url: string): Promise<number> {
  const { Attributes = {} } = await running().aws.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  // local-aws-sqs counts in-flight messages in both; the larger is what is still on the queue.
  return Math.max(
    Number(Attributes.ApproximateNumberOfMessages ?? 0),
    Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
  );
}

async function deadLetterDepth(url: string): Promise<number> {
  const { Attributes = {} } = await running().aws.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(Attributes.ApproximateNumberOfMessages ?? 0);
}

async function deadLetters(url: string): Promise<string[]> {
  const { Messages = [] } = await running().aws.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
  );
  return Messages.map((message) => message.Body ?? '');
}

interface LoadSummary {
  readonly faults: FaultMode;
  readonly sockets: number;
  readonly users: number;
  readonly notifications: number;
  readonly framesExpected: number;
  readonly framesReceived: number;
  readonly duplicates: number;
  readonly failedRecords: number;
  readonly notifyConnectionRecords: number;
  readonly deadLettered: number;
}

/**
 * Connects {@link SOCKETS_PER_USER} sockets for each of {@link USERS} users, enqueues
 * {@link NOTIFICATIONS_PER_USER} NotifyUser messages per user, waits until every socket has
 * every notification of its user and the queues are empty, then checks and reports.
 */
async function runLoad(mode: FaultMode): Promise<LoadSummary> {
  const dev = running();
  faults = new TransientFaults(mode);
  tally = new BatchTally();
  const started = performance.now();
  const userIds = Array.from({ length: USERS }, (_, u) => `load-${mode}-user-${u}`);

  const tokens = new Map<string, string>();
  await inParallel(userIds, 10, async (userId) => {
    tokens.set(userId, await tokenFor(userId));
  });
  const slots = userIds.flatMap((userId) => Array.from({ length: SOCKETS_PER_USER }, () => userId));
  await inParallel(slots, CONNECT_CONCURRENCY, async (userId) => {
    const client = await TestClient.connect(`${dev.wsUrl}?token=${tokens.get(userId) ?? ''}`);
    receivers.push({ userId, client, ids: new Set(), read: 0, unexpected: [] });
  });
  expect(dev.gateway.connectionIds()).toHaveLength(slots.length);
  const connectedMs = performance.now() - started;

  // Interleaved by user, so each SendMessageBatch (and each NotifyUser invocation) mixes users.
  const notifications: Notification[] = [];
  for (let seq = 0; seq < NOTIFICATIONS_PER_USER; seq++) {
    for (const userId of userIds)
      notifications.push({ userId, id: `${userId}-n${seq}`, data: { userId, seq } });
  }
  const expected = new Map(notifications.map((notification) => [notification.id, notification]));
  const batches = Array.from({ length: Math.ceil(notifications.length / SQS_BATCH) }, (_, b) =>
    notifications.slice(b * SQS_BATCH, (b + 1) * SQS_BATCH),
  );
  const enqueueStarted = performance.now();
  await inParallel(batches, ENQUEUE_CONCURRENCY, async (batch) => {
    const sent = await dev.aws.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: dev.queues.NotifyUser.url,
        Entries: batch.map((notification, index) => ({
          Id: String(index),
          MessageBody: JSON.stringify({
            userId: notification.userId,
            data: notification.data,
            id: notification.id,
          }),
        })),
      }),
    );
    if ((sent.Failed ?? []).length > 0)
      throw new Error(`SendMessageBatch failed: ${JSON.stringify(sent.Failed)}`);
  });

  let stalled: unknown = null;
  try {
    await eventually(
      () => receivers.every((receiver) => catchUp(receiver, expected, NOTIFICATIONS_PER_USER)),
      DELIVERY_TIMEOUT_MS,
      'every socket to have every notification of its user',
    );
  } catch (error) {
    stalled = error;
  }
  const deliveredMs = performance.now() - enqueueStarted;
  // Redeliveries still on their way would be duplicates too: count frames once the queues are empty.
  const queues = [dev.queues.NotifyUser.url, dev.queues.NotifyConnection.url];
  const drained = async (): Promise<boolean> =>
    (await Promise.all(queues.map(queueDepth))).every((depth) => depth === 0);
  if (stalled === null) await eventually(drained, DELIVERY_TIMEOUT_MS, 'the notify queues to drain');
  for (const receiver of receivers) catchUp(receiver, expected, NOTIFICATIONS_PER_USER);

  const framesExpected = slots.length * NOTIFICATIONS_PER_USER;
  const framesReceived = receivers.reduce((sum, receiver) => sum + receiver.client.frames.length, 0);
  const unique = receivers.reduce((sum, receiver) => sum + receiver.ids.size, 0);
  const unexpected = receivers.reduce((sum, receiver) => sum + receiver.unexpected.length, 0);
  const duplicates = framesReceived - unique - unexpected;
  const [deadNotifyUser, deadNotifyConnection] = await Promise.all([
    deadLetterDepth(dev.queues.NotifyUser.deadLetterUrl),
    deadLetterDepth(dev.queues.NotifyConnection.deadLetterUrl),
  ]);
  const summary = {
    faults: mode,
    sockets: slots.length,
    users: USERS,
    socketsPerUser: SOCKETS_PER_USER,
    notificationsPerUser: NOTIFICATIONS_PER_USER,
    notifications: notifications.length,
    framesExpected,
    framesReceived,
    uniqueDelivered: unique,
    unexpectedFrames: unexpected,
    duplicates,
    duplicateRate: duplicates / framesExpected,
    postToConnectionCalls: faults.posts,
    injectedFailures: faults.injected,
    injectedRate: faults.posts === 0 ? 0 : faults.injected / faults.posts,
    faultedPushes: faults.faultedPushes,
    notifyUserRecords: tally.records.get('notify-user') ?? 0,
    notifyConnectionRecords: tally.records.get('notify-connection') ?? 0,
    failedRecords: tally.failedRecords,
    failedInvocations: tally.errors,
    deadLettered: deadNotifyUser + deadNotifyConnection,
    connectMs: Math.round(connectedMs),
    deliveryMs: Math.round(deliveredMs),
    wallMs: Math.round(performance.now() - started),
    complete: stalled === null,
  };
  console.log(`load ${MODE} ${mode}: ${JSON.stringify(summary)}`);
  summaries[mode] = summary;
  await mkdir(REPORTS, { recursive: true });
  await writeFile(
    `${REPORTS}/load-${MODE}.json`,
    `${JSON.stringify({ mode: MODE, ...summaries }, null, 2)}\n`,
  );

  const missing = receivers
    .filter((receiver) => receiver.ids.size !== NOTIFICATIONS_PER_USER)
    .map((receiver) => `${receiver.userId}: ${receiver.ids.size}/${NOTIFICATIONS_PER_USER}`);
  expect(missing.slice(0, 10), `${missing.length} sockets are missing notifications`).toEqual([]);
  expect(stalled).toBeNull();
  expect(receivers.flatMap((receiver) => receiver.unexpected).slice(0, 10)).toEqual([]);
  for (const receiver of receivers) {
    const own = notifications.filter((n) => n.userId === receiver.userId).map((n) => n.id);
    expect([...receiver.ids].sort()).toEqual(own.sort());
  }
  expect(await deadLetters(dev.queues.NotifyUser.deadLetterUrl)).toEqual([]);
  expect(await deadLetters(dev.queues.NotifyConnection.deadLetterUrl)).toEqual([]);
  expect(faults.posts).toBeGreaterThanOrEqual(framesExpected);
  await closeReceivers();
  await eventually(() => dev.gateway.connectionIds().length === 0, 10_000, 'every socket to close');
  return summary;
}

describe('load: NotifyUser on the dev stack with 1 % of pushes failing transiently', () => {
  it(
    `delivers every notification of its user to each of ${USERS * SOCKETS_PER_USER} sockets when 1 % of PostToConnection calls fail`,
    async () => {
      await runLoad('call');
      expect(faults.injected).toBeGreaterThan(0);
      expect(faults.injected).toBe(Math.floor(faults.posts / FAULT_EVERY));
    },
    soakTimeout(60_000, 400_000),
  );

  it(
    `delivers every notification of its user to each of ${USERS * SOCKETS_PER_USER} sockets when 1 % of pushes fail past the SDK's retries`,
    async () => {
      const summary = await runLoad('push');
      // Each faulted push fails all its SDK attempts in NotifyUser's direct push and goes to the
      // NotifyConnection queue with 3 faults left. There a delivery makes at most the SDK's 3
      // attempts, so it fails at least once; once the client's retry quota runs low a delivery
      // makes a single attempt, so it fails at most 3 times. Every failed record comes again.
      expect(faults.faultedPushes).toBe(Math.floor(summary.framesExpected / FAULT_EVERY));
      expect(faults.injected).toBe(faults.faultedPushes * STICKY_FAILURES);
      expect(summary.failedRecords).toBeGreaterThanOrEqual(faults.faultedPushes);
      expect(summary.failedRecords).toBeLessThanOrEqual(3 * faults.faultedPushes);
      expect(summary.notifyConnectionRecords).toBe(faults.faultedPushes + summary.failedRecords);
    },
    soakTimeout(60_000, 400_000),
  );
});
