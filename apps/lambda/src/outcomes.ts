import { type Logger, LogLevelThreshold } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { deliveryMetrics } from './metrics.js';

/** One structured log line per outcome: ids, codes and timings, never tokens or payloads. */
export interface RequestFields {
  readonly requestId: string;
  readonly route: string;
  readonly connectionId?: string | undefined;
  readonly [field: string]: unknown;
}

export interface OutcomeFields extends RequestFields {
  readonly code: string | null;
  readonly durationMs: number;
}

/**
 * Logs an outcome: a fault at ERROR, a refusal at WARN, a success at `successLevel` (INFO by
 * default; the frame and queue handlers log successes at DEBUG, as one CloudWatch line per
 * frame or push costs more than handling it, and each stage sets its level). With `context`, the
 * Lambda context is added only when a line is written: Powertools reads the environment on
 * every `addContext` and every `info` call, even when INFO is off, which was about 5% of the
 * CPU of a `ping` through the local stack.
 */
export function logOutcome(
  logger: Logger,
  fields: OutcomeFields,
  fault: unknown = null,
  context?: Context,
  successLevel: 'info' | 'debug' = 'info',
): void {
  // The first invocation adds its context even when nothing is written, so that Powertools
  // marks that one, and only that one, as the cold start.
  const first = context !== undefined && !CONTEXT_SEEN.has(logger);
  if (first) {
    logger.addContext(context);
    CONTEXT_SEEN.add(logger);
  }
  if (fault === null && fields.code === null && !logsAt(logger, successLevel)) return;
  if (context !== undefined && !first) logger.addContext(context);
  if (fault !== null) logger.error('outcome', { ...fields, error: describeFault(fault) });
  else if (fields.code === null) {
    if (successLevel === 'debug') logger.debug('outcome', fields);
    else logger.info('outcome', fields);
  } else logger.warn('outcome', fields);
}

/** Whether the logger writes lines of this level; read once per logger, as reading it reads the environment. */
function logsAt(logger: Logger, level: 'info' | 'debug'): boolean {
  let levels = ENABLED.get(logger);
  if (levels === undefined) {
    levels = {
      info: logger.level <= LogLevelThreshold.INFO,
      debug: logger.level <= LogLevelThreshold.DEBUG,
    };
    ENABLED.set(logger, levels);
  }
  return levels[level];
}

const ENABLED = new WeakMap<Logger, { readonly info: boolean; readonly debug: boolean }>();
const CONTEXT_SEEN = new WeakSet<Logger>();

function describeFault(fault: unknown): string {
  return fault instanceof Error ? `${fault.name}: ${fault.message}` : 'non-error thrown';
}

function faultCode(fault: unknown): string {
  if (typeof fault === 'object' && fault !== null && 'code' in fault && typeof fault.code === 'string') {
    return fault.code;
  }
  return 'INTERNAL';
}

export function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

/**
 * Runs a handler body; a thrown fault is logged as the outcome (with its code, or `INTERNAL`)
 * and rethrown, so Lambda reports the invocation as failed.
 */
export async function loggingFaults<T>(
  logger: Logger,
  fields: RequestFields,
  started: number,
  body: () => Promise<T>,
): Promise<T> {
  try {
    return await body();
  } catch (fault) {
    logOutcome(logger, { ...fields, code: faultCode(fault), durationMs: elapsed(started) }, fault);
    throw fault;
  }
}

/** What handling one queue record came to: done (deleted from the queue) or failed (retried, then dead-lettered). */
export interface RecordResult {
  readonly done: boolean;
  readonly code: string | null;
  readonly fields?: Readonly<Record<string, unknown>>;
}

/**
 * Handles the records of an SQS batch concurrently and reports the ones that failed, so SQS
 * re-delivers only those (`ReportBatchItemFailures`). A thrown fault fails only its record.
 * Each record's outcome is counted in the delivery metrics, published once per batch.
 */
export async function processBatch(
  event: SQSEvent,
  context: Context,
  route: string,
  logger: Logger,
  handle: (record: SQSRecord) => Promise<RecordResult>,
): Promise<SQSBatchResponse> {
  logger.addContext(context);
  const metrics = deliveryMetrics();
  const batchItemFailures: { itemIdentifier: string }[] = [];
  // Standard queues promise no order, so a batch's records are handled at once: a batch of
  // ten pushes costs one round trip of latency, not ten.
  await Promise.all(
    event.Records.map(async (record) => {
      const started = performance.now();
      const base = {
        requestId: record.messageId,
        route,
        receiveCount: Number(record.attributes.ApproximateReceiveCount),
      };
      try {
        const result = await handle(record);
        if (!result.done) batchItemFailures.push({ itemIdentifier: record.messageId });
        metrics.settle(route, record, result);
        logOutcome(
          logger,
          { ...base, ...result.fields, code: result.code, durationMs: elapsed(started) },
          null,
          undefined,
          'debug',
        );
      } catch (fault) {
        batchItemFailures.push({ itemIdentifier: record.messageId });
        metrics.settle(route, record, { done: false, code: faultCode(fault) });
        logOutcome(logger, { ...base, code: faultCode(fault), durationMs: elapsed(started) }, fault);
      }
    }),
  );
  metrics.publish();
  return { batchItemFailures };
}
