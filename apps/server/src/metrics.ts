import {
  DELIVERY_METRICS,
  DELIVERY_OUTCOMES,
  type DeliveryOutcome,
  deliveryOutcomeOf,
  ENQUEUE_TO_PUSH_METRIC,
  type NotifyConnectionOutcome,
  type NotifyUserOutcome,
} from '@pushline/core';

/** What each outcome's counter counts (the `# HELP` line). */
const HELP: Readonly<Record<DeliveryOutcome, string>> = {
  ACCEPTED: 'Notifications accepted and fanned out to the user’s connections.',
  PUSHED: 'Frames pushed to a socket.',
  CONNECTION_GONE: 'Pushes that found the socket gone; its record was removed.',
  TRANSIENT_FAILURE: 'Pushes that failed transiently (throttled, or a fault) and were retried.',
  PAYLOAD_TOO_LARGE: 'Notifications over the frame limit; nothing was sent.',
  DEAD_LETTERED: 'Messages that failed every delivery and were set aside.',
  RESUME_RECOVERED: 'Resumes that replayed what the client missed.',
  RESUME_NOT_RECOVERED: 'Resumes that could not replay (the position is no longer kept).',
};

/** Upper bounds of the latency histogram, in seconds. */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
];

const snake = (name: string): string => name.replace(/(?<=[a-z0-9])([A-Z])/g, '_$1').toLowerCase();

/** The Prometheus name of each outcome's counter: `pushline_<CloudWatch name in snake case>_total`. */
export const PROMETHEUS_COUNTERS: Readonly<Record<DeliveryOutcome, string>> = Object.fromEntries(
  DELIVERY_OUTCOMES.map((outcome) => [outcome, `pushline_${snake(DELIVERY_METRICS[outcome])}_total`]),
) as Record<DeliveryOutcome, string>;

/** The Prometheus name of the enqueue-to-push latency histogram. */
export const PROMETHEUS_LATENCY = `pushline_${snake(ENQUEUE_TO_PUSH_METRIC)}_seconds`;

/** The `Content-Type` of Prometheus's text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * The standalone server's delivery metrics, in memory since the process started, served on
 * `GET /metrics` in Prometheus's text format: one counter per outcome and a histogram of the
 * enqueue-to-push latency.
 */
export class ServerMetrics {
  private readonly counts = new Map<DeliveryOutcome, number>(
    DELIVERY_OUTCOMES.map((outcome) => [outcome, 0]),
  );
  private readonly buckets = LATENCY_BUCKETS_SECONDS.map(() => 0);
  private latencyCount = 0;
  private latencySum = 0;

  /** Counts `count` occurrences of an outcome. */
  count(outcome: DeliveryOutcome, count = 1): void {
    this.counts.set(outcome, (this.counts.get(outcome) ?? 0) + count);
  }

  /** Counts a NotifyUser run: the notification accepted and what it pushed in place, or its refusal. */
  settleNotifyUser(outcome: NotifyUserOutcome): void {
    if (!outcome.ok) {
      this.countCode(outcome.error.code);
      return;
    }
    this.count('ACCEPTED');
    this.count('PUSHED', outcome.value.pushed);
    this.count('CONNECTION_GONE', outcome.value.gone);
  }

  /** Counts a NotifyConnection run; a push's latency runs from `sentAt` (epoch ms) to `now`. */
  settleNotifyConnection(outcome: NotifyConnectionOutcome, sentAt: number, now: number = Date.now()): void {
    if (!outcome.ok) this.countCode(outcome.error.code);
    else if (outcome.value.result === 'gone') this.count('CONNECTION_GONE');
    else {
      this.count('PUSHED');
      this.observeLatency(now - sentAt);
    }
  }

  /** Runs `work`; a fault with a delivery outcome's code (`TRANSIENT_FAILURE`) is counted, then rethrown. */
  async countingFaults<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (fault) {
      if (typeof fault === 'object' && fault !== null && 'code' in fault && typeof fault.code === 'string') {
        this.countCode(fault.code);
      }
      throw fault;
    }
  }

  private countCode(code: string): void {
    const outcome = deliveryOutcomeOf(code);
    if (outcome !== null) this.count(outcome);
  }

  /** Records one push's enqueue-to-push latency. */
  observeLatency(milliseconds: number): void {
    const seconds = Math.max(0, milliseconds) / 1000;
    this.latencyCount += 1;
    this.latencySum += seconds;
    LATENCY_BUCKETS_SECONDS.forEach((bound, index) => {
      if (seconds <= bound) this.buckets[index] = (this.buckets[index] ?? 0) + 1;
    });
  }

  /** The metrics in Prometheus's text exposition format (version 0.0.4). */
  render(): string {
    const lines: string[] = [];
    for (const outcome of DELIVERY_OUTCOMES) {
      const name = PROMETHEUS_COUNTERS[outcome];
      lines.push(
        `# HELP ${name} ${HELP[outcome]}`,
        `# TYPE ${name} counter`,
        `${name} ${String(this.counts.get(outcome) ?? 0)}`,
      );
    }
    const name = PROMETHEUS_LATENCY;
    lines.push(
      `# HELP ${name} Seconds from the enqueue of the message that carried a push to the push.`,
      `# TYPE ${name} histogram`,
    );
    LATENCY_BUCKETS_SECONDS.forEach((bound, index) => {
      lines.push(`${name}_bucket{le="${String(bound)}"} ${String(this.buckets[index] ?? 0)}`);
    });
    lines.push(
      `${name}_bucket{le="+Inf"} ${String(this.latencyCount)}`,
      `${name}_sum ${String(this.latencySum)}`,
      `${name}_count ${String(this.latencyCount)}`,
    );
    return `${lines.join('\n')}\n`;
  }
}
