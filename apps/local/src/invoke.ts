import type { LambdaCallback, LambdaContext } from './types.js';
import { awsStyleId } from './ids.js';

/** How an in-process invocation ended. */
export type Invocation =
  | { readonly kind: 'returned'; readonly value: unknown }
  | { readonly kind: 'failed'; readonly error: unknown }
  | { readonly kind: 'timedOut' };

/** Anything callable the way Lambda calls a Node.js handler. */
export type InvocableHandler = (event: never, context: LambdaContext, callback: LambdaCallback) => unknown;

/**
 * Calls a handler as Lambda would: async handlers settle through their promise, callback-style
 * handlers (three parameters) through the callback. The invocation ends at the first of the two,
 * or when `timeoutMs` passes; a late result is ignored, as API Gateway ignores it.
 */
export function invoke(
  handler: InvocableHandler,
  event: unknown,
  functionName: string,
  timeoutMs: number,
): Promise<Invocation> {
  return new Promise<Invocation>((resolve) => {
    let settled = false;
    const finish = (outcome: Invocation): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const deadline = Date.now() + timeoutMs;
    const timer = setTimeout(() => {
      finish({ kind: 'timedOut' });
    }, timeoutMs);
    const context: LambdaContext = {
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
      memoryLimitInMB: '128',
      awsRequestId: awsStyleId(),
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: 'local',
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    const callback: LambdaCallback = (error, result) => {
      if (error !== undefined && error !== null) finish({ kind: 'failed', error });
      else finish({ kind: 'returned', value: result });
    };
    try {
      const out = handler(event as never, context, callback);
      if (isThenable(out)) {
        out.then(
          (value) => {
            finish({ kind: 'returned', value });
          },
          (error: unknown) => {
            finish({ kind: 'failed', error });
          },
        );
      } else if (handler.length < 3) {
        finish({ kind: 'returned', value: out });
      }
    } catch (error) {
      finish({ kind: 'failed', error });
    }
  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    'then' in value &&
    typeof value.then === 'function'
  );
}

/** The message Lambda would report for a failed invocation (`errorMessage`). */
export function errorMessageOf(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error instanceof Error) return error.message;
  return String(error);
}
