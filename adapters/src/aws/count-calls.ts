import type { InitializeHandler, InitializeMiddleware, MiddlewareStack } from '@smithy/types';

/** What {@link countCalls} returns: live counts of the calls a client made, by operation. */
export interface CallCounter {
  /** Calls per operation since the counter was attached or last reset, e.g. `{ Query: 3, PutItem: 10 }`. */
  counts(): Readonly<Record<string, number>>;
  /** Calls of one operation (`'SendMessageBatch'`), 0 if none. */
  count(operation: string): number;
  /** Starts counting from zero again. */
  reset(): void;
  /** Takes the middleware off the client's stack; the counts stay readable. */
  detach(): void;
}

let counters = 0;

/**
 * Counts the calls an AWS SDK v3 client makes, per operation, with a middleware on the
 * client's stack (`initialize` step). For benchmarks and cost tests: "NotifyUser to K
 * connections costs one `Query` per page and ⌈K/10⌉ `SendMessageBatch`" becomes an
 * assertion. A call is counted once however often the SDK retries it (the `initialize`
 * step runs before the retry middleware), because cost shape, not wire traffic, is what
 * this measures. Operation names are the command's name without `Command`.
 *
 * Several counters can be attached to one client; each counts on its own.
 * See https://aws.amazon.com/blogs/developer/middleware-stack-modular-aws-sdk-js/.
 *
 * @example
 * ```ts
 * const calls = countCalls(dynamoDbClient);
 * await notifyUser.execute(input);
 * calls.count('Query'); // pages read
 * ```
 */
export function countCalls<Input extends object, Output extends object>(client: {
  readonly middlewareStack: MiddlewareStack<Input, Output>;
}): CallCounter {
  counters += 1;
  const name = `pushlineCountCalls${counters}`;
  let tally = new Map<string, number>();
  const middleware: InitializeMiddleware<Input, Output> =
    (next: InitializeHandler<Input, Output>, context) => (args) => {
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      tally.set(operation, (tally.get(operation) ?? 0) + 1);
      return next(args);
    };
  client.middlewareStack.add(middleware, { step: 'initialize', name, tags: ['PUSHLINE_COUNT_CALLS'] });
  return {
    counts: () => Object.fromEntries(tally),
    count: (operation) => tally.get(operation) ?? 0,
    reset: () => {
      tally = new Map();
    },
    detach: () => {
      client.middlewareStack.remove(name);
    },
  };
}
