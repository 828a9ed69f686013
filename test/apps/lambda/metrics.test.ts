// The delivery metrics of the Lambda functions: every outcome counted by exactly one metric, in
// CloudWatch's embedded metric format as Powertools writes it to the function's log.
import { QUEUE_SETTINGS } from '@pushline/lambda/deployment';
import { createDeliveryMetrics, type DeliveryMetrics } from '@pushline/lambda/metrics';
import {
  CLIENT_ERROR_CODES,
  DELIVERY_METRICS,
  DELIVERY_OUTCOMES,
  type DeliveryOutcome,
  deliveryOutcomeOf,
  ENQUEUE_TO_PUSH_METRIC,
  replyOutcomeOf,
} from '@pushline/core';
import type { SQSRecord } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';

interface EmfLine {
  readonly _aws: {
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: readonly { readonly Name: string; readonly Unit: string }[];
    }[];
  };
  readonly [key: string]: unknown;
}

/** Runs `body` with a fresh DeliveryMetrics and returns the EMF lines it wrote to stdout. */
function emitted(body: (metrics: DeliveryMetrics) => void, now = 10_000): EmfLine[] {
  const lines: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    const metrics = createDeliveryMetrics(() => now);
    body(metrics);
  } finally {
    write.mockRestore();
  }
  return lines.map((line) => JSON.parse(line) as EmfLine);
}

/** `metric -> value` of one EMF line. */
function values(line: EmfLine | undefined): Record<string, unknown> {
  if (line === undefined) return {};
  const names = line._aws.CloudWatchMetrics.flatMap((set) => set.Metrics.map((metric) => metric.Name));
  return Object.fromEntries(names.map((name) => [name, line[name]]));
}

const record = (receiveCount: number, sentAt = 9_000): SQSRecord =>
  ({
    messageId: 'm-1',
    body: '{}',
    attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: String(sentAt) },
  }) as unknown as SQSRecord;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('delivery metrics (Lambda, embedded metric format)', () => {
  it('counts every outcome with exactly one metric of its own', () => {
    const names = DELIVERY_OUTCOMES.map((outcome) => DELIVERY_METRICS[outcome]);
    expect(new Set(names).size).toBe(DELIVERY_OUTCOMES.length);
    expect(names).not.toContain(ENQUEUE_TO_PUSH_METRIC);
    for (const outcome of DELIVERY_OUTCOMES) {
      const lines = emitted((metrics) => {
        metrics.count(outcome);
        metrics.publish();
      });
      expect(lines).toHaveLength(1);
      expect(values(lines[0])).toEqual({ [DELIVERY_METRICS[outcome]]: 1 });
      expect(lines[0]?._aws.CloudWatchMetrics[0]).toMatchObject({
        Namespace: 'Pushline',
        Dimensions: [['service']],
        Metrics: [{ Name: DELIVERY_METRICS[outcome], Unit: 'Count' }],
      });
      expect(lines[0]?.service).toBe('pushline');
    }
  });

  it('maps each outcome code to its outcome, and codes that are not delivery outcomes to none', () => {
    for (const outcome of DELIVERY_OUTCOMES) expect(deliveryOutcomeOf(outcome)).toBe(outcome);
    const others = [
      ...CLIENT_ERROR_CODES.filter((code) => code !== 'PAYLOAD_TOO_LARGE'),
      'MALFORMED_QUEUE_MESSAGE',
    ];
    for (const code of [...others, 'CONNECTION_NOT_FOUND', 'QUEUE_SEND_FAILED', null]) {
      expect(deliveryOutcomeOf(code)).toBeNull();
    }
  });

  it('counts a resumed reply as recovered or not, and no other reply', () => {
    expect(replyOutcomeOf({ type: 'resumed', epoch: 'e', seq: 2, recovered: true, notifications: [] })).toBe(
      'RESUME_RECOVERED',
    );
    expect(
      replyOutcomeOf({
        type: 'resumed',
        epoch: 'e',
        seq: 2,
        recovered: false,
        reason: 'TOO_OLD',
        notifications: [],
      }),
    ).toBe('RESUME_NOT_RECOVERED');
    expect(replyOutcomeOf({ type: 'pong' })).toBeNull();
    expect(replyOutcomeOf({ type: 'error', code: 'UNAUTHORIZED', message: 'no' })).toBeNull();
  });

  it.each<[string, string, Parameters<DeliveryMetrics['settle']>[2], number, Record<string, unknown>]>([
    [
      'a NotifyUser fan-out that pushed in place',
      'NotifyUser',
      { done: true, code: null, fields: { pushed: 2, gone: 1, enqueued: 3 } },
      1,
      {
        NotificationsAccepted: 1,
        NotificationsPushed: 2,
        ConnectionsGone: 1,
        EnqueueToPushLatency: [1000, 1000],
      },
    ],
    [
      'a NotifyUser fan-out through the queue only',
      'NotifyUser',
      { done: true, code: null, fields: { pushed: 0, gone: 0, enqueued: 40 } },
      1,
      { NotificationsAccepted: 1 },
    ],
    [
      'a notification over the frame limit',
      'NotifyUser',
      { done: false, code: 'PAYLOAD_TOO_LARGE' },
      1,
      { NotificationsTooLarge: 1 },
    ],
    [
      'a delivered frame',
      'NotifyConnection',
      { done: true, code: null, fields: { result: 'delivered' } },
      1,
      { NotificationsPushed: 1, EnqueueToPushLatency: 1000 },
    ],
    [
      'a gone socket',
      'NotifyConnection',
      { done: true, code: null, fields: { result: 'gone' } },
      1,
      { ConnectionsGone: 1 },
    ],
    [
      'a throttled push, retried',
      'NotifyConnection',
      { done: false, code: 'TRANSIENT_FAILURE' },
      2,
      { PushesThrottled: 1 },
    ],
    [
      'a throttled push on its last receive',
      'NotifyConnection',
      { done: false, code: 'TRANSIENT_FAILURE' },
      QUEUE_SETTINGS.maxReceiveCount,
      { PushesThrottled: 1, MessagesDeadLettered: 1 },
    ],
    [
      'a malformed message on its last receive',
      'Deadlines',
      { done: false, code: 'MALFORMED_QUEUE_MESSAGE' },
      QUEUE_SETTINGS.maxReceiveCount,
      { MessagesDeadLettered: 1 },
    ],
    ['an enforced deadline', 'Deadlines', { done: true, code: null, fields: { result: 'closed' } }, 1, {}],
  ])('settles %s', (_what, queue, result, receiveCount, expected) => {
    const lines = emitted((metrics) => {
      metrics.settle(queue, record(receiveCount), result);
      metrics.publish();
    });
    expect(lines).toHaveLength(Object.keys(expected).length === 0 ? 0 : 1);
    expect(values(lines[0])).toEqual(expected);
  });

  it('publishes a batch’s counts as one line, summed', () => {
    const lines = emitted((metrics) => {
      for (let i = 0; i < 3; i += 1) {
        metrics.settle('NotifyConnection', record(1), {
          done: true,
          code: null,
          fields: { result: 'delivered' },
        });
      }
      metrics.settle('NotifyConnection', record(1), { done: true, code: null, fields: { result: 'gone' } });
      metrics.publish();
      metrics.publish();
    });
    expect(lines).toHaveLength(1);
    expect(values(lines[0])).toEqual({
      NotificationsPushed: 3,
      ConnectionsGone: 1,
      EnqueueToPushLatency: [1000, 1000, 1000],
    });
  });

  it('names every outcome of the DeliveryOutcome union', () => {
    const all: Record<DeliveryOutcome, true> = {
      ACCEPTED: true,
      PUSHED: true,
      CONNECTION_GONE: true,
      TRANSIENT_FAILURE: true,
      PAYLOAD_TOO_LARGE: true,
      DEAD_LETTERED: true,
      RESUME_RECOVERED: true,
      RESUME_NOT_RECOVERED: true,
    };
    expect([...DELIVERY_OUTCOMES].sort()).toEqual(Object.keys(all).sort());
  });
});
