import type { ServerFrame } from './frame.js';

/**
 * What happened to a notification on its way to a socket, or to a resume, as a deployment
 * counts it. Each outcome is counted by exactly one metric ({@link DELIVERY_METRICS}); the
 * Lambda functions emit them to CloudWatch, the standalone server serves them on `/metrics`.
 *
 * - `ACCEPTED`: a NotifyUser message was read and fanned out (or pushed in place).
 * - `PUSHED`: a frame went out to a socket.
 * - `CONNECTION_GONE`: the socket no longer existed (410); its record was removed.
 * - `TRANSIENT_FAILURE`: a push or a queue call was throttled or failed with a 5xx; retried.
 * - `PAYLOAD_TOO_LARGE`: a notification was over the frame limit; nothing was sent.
 * - `DEAD_LETTERED`: a message failed its last receive; the queue moves it to its dead-letter queue.
 * - `RESUME_RECOVERED` / `RESUME_NOT_RECOVERED`: a `resume` replayed what the client missed, or
 *   could not (its position is no longer kept).
 */
export type DeliveryOutcome =
  | 'ACCEPTED'
  | 'PUSHED'
  | 'CONNECTION_GONE'
  | 'TRANSIENT_FAILURE'
  | 'PAYLOAD_TOO_LARGE'
  | 'DEAD_LETTERED'
  | 'RESUME_RECOVERED'
  | 'RESUME_NOT_RECOVERED';

/** The metric that counts each outcome (CloudWatch names; the server's Prometheus names derive from them). */
export const DELIVERY_METRICS: Readonly<Record<DeliveryOutcome, string>> = {
  ACCEPTED: 'NotificationsAccepted',
  PUSHED: 'NotificationsPushed',
  CONNECTION_GONE: 'ConnectionsGone',
  TRANSIENT_FAILURE: 'PushesThrottled',
  PAYLOAD_TOO_LARGE: 'NotificationsTooLarge',
  DEAD_LETTERED: 'MessagesDeadLettered',
  RESUME_RECOVERED: 'ResumesRecovered',
  RESUME_NOT_RECOVERED: 'ResumesNotRecovered',
};

/** Every outcome, in the order docs/operations.md lists their metrics. */
export const DELIVERY_OUTCOMES = Object.keys(DELIVERY_METRICS) as readonly DeliveryOutcome[];

/** Milliseconds from the enqueue of the message that carried a push to the push. */
export const ENQUEUE_TO_PUSH_METRIC = 'EnqueueToPushLatency';

/** The CloudWatch namespace of every Pushline metric. */
export const METRICS_NAMESPACE = 'Pushline';

/**
 * The outcome a code stands for, or `null` when the code is not a delivery outcome (an
 * authorization failure, a malformed frame, …). Codes and outcomes share their names.
 */
export function deliveryOutcomeOf(code: string | null): DeliveryOutcome | null {
  return code !== null && Object.hasOwn(DELIVERY_METRICS, code) ? (code as DeliveryOutcome) : null;
}

/**
 * The outcome a reply frame stands for: a `resumed` reply is `RESUME_RECOVERED` or
 * `RESUME_NOT_RECOVERED`; any other reply is none (`null`).
 */
export function replyOutcomeOf(reply: ServerFrame): DeliveryOutcome | null {
  if (reply.type !== 'resumed') return null;
  return reply.recovered ? 'RESUME_RECOVERED' : 'RESUME_NOT_RECOVERED';
}
