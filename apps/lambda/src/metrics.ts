import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  DELIVERY_METRICS,
  type DeliveryOutcome,
  deliveryOutcomeOf,
  ENQUEUE_TO_PUSH_METRIC,
  METRICS_NAMESPACE,
} from '@pushline/core';
import type { SQSRecord } from 'aws-lambda';
import { QUEUE_SETTINGS } from './deployment.js';

/** What handling one record came to, as `processBatch` knows it. */
export interface SettledRecord {
  readonly done: boolean;
  readonly code: string | null;
  readonly fields?: Readonly<Record<string, unknown>>;
}

/**
 * Delivery metrics of one function, in CloudWatch's embedded metric format: Powertools writes
 * them to the function's log, and CloudWatch turns the lines into metrics (no API call, no
 * added latency). Namespace {@link METRICS_NAMESPACE}, dimension `service=pushline`.
 */
export class DeliveryMetrics {
  constructor(
    private readonly metrics: Metrics,
    private readonly now: () => number = Date.now,
  ) {}

  private readonly counts = new Map<DeliveryOutcome, number>();

  /** Counts `count` occurrences of an outcome (summed until {@link publish}). */
  count(outcome: DeliveryOutcome, count = 1): void {
    if (count > 0) this.counts.set(outcome, (this.counts.get(outcome) ?? 0) + count);
  }

  /** Records the enqueue-to-push latency of a push whose message was enqueued at `sentAt` (epoch ms). */
  pushedSince(sentAt: number): void {
    if (Number.isFinite(sentAt)) {
      this.metrics.addMetric(
        ENQUEUE_TO_PUSH_METRIC,
        MetricUnit.Milliseconds,
        Math.max(0, this.now() - sentAt),
      );
    }
  }

  /**
   * Counts what handling one record of a queue came to: its code's outcome, a dead letter on
   * its last receive, and for a success the notification accepted and the frames pushed
   * (NotifyUser's `pushed`/`gone` counts, NotifyConnection's `result`).
   */
  settle(queue: string, record: SQSRecord, result: SettledRecord): void {
    const outcome = deliveryOutcomeOf(result.code);
    if (outcome !== null) this.count(outcome);
    if (!result.done && Number(record.attributes.ApproximateReceiveCount) >= QUEUE_SETTINGS.maxReceiveCount) {
      this.count('DEAD_LETTERED');
    }
    if (!result.done || result.code !== null) return;
    const fields = result.fields ?? {};
    const sentAt = Number(record.attributes.SentTimestamp);
    if (queue === 'NotifyUser') {
      this.count('ACCEPTED');
      const pushed = Number(fields.pushed ?? 0);
      this.count('PUSHED', pushed);
      this.count('CONNECTION_GONE', Number(fields.gone ?? 0));
      for (let i = 0; i < pushed; i += 1) this.pushedSince(sentAt);
    } else if (queue === 'NotifyConnection') {
      if (fields.result === 'delivered') {
        this.count('PUSHED');
        this.pushedSince(sentAt);
      } else if (fields.result === 'gone') this.count('CONNECTION_GONE');
    }
  }

  /** Writes what was counted since the last call as one EMF line (nothing when nothing was). */
  publish(): void {
    for (const [outcome, count] of this.counts) {
      this.metrics.addMetric(DELIVERY_METRICS[outcome], MetricUnit.Count, count);
    }
    this.counts.clear();
    if (this.metrics.hasStoredMetrics()) this.metrics.publishStoredMetrics();
  }
}

/** Delivery metrics written by Powertools (namespace `Pushline`, service `pushline`). */
export function createDeliveryMetrics(now: () => number = Date.now): DeliveryMetrics {
  return new DeliveryMetrics(new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'pushline' }), now);
}

let shared: DeliveryMetrics | undefined;

/** The function's metrics, made on first use. */
export function deliveryMetrics(): DeliveryMetrics {
  shared ??= createDeliveryMetrics();
  return shared;
}
