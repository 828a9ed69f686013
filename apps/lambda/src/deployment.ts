/** The Lambda runtime every function is deployed on. */
export const LAMBDA_RUNTIME = 'nodejs22.x' as const;

/**
 * Packages the deployed bundles leave out because the runtime provides them: the AWS SDK v3.
 * `sst.config.ts` passes this as `nodejs.esbuild.external`, and `pnpm build:lambdas` does the same.
 */
export const RUNTIME_PROVIDED: readonly string[] = ['@aws-sdk/*'];

/**
 * Every queue's delivery settings, shared by `sst.config.ts` and `pnpm dev`'s local queues:
 * receives before the dead-letter queue takes a message, and the visibility timeout (well
 * over the 20 s timeout of the functions that consume the queues).
 */
export const QUEUE_SETTINGS = { maxReceiveCount: 5, visibilityTimeoutSeconds: 120 } as const;

/** Records per invocation of the SQS consumers. */
export const QUEUE_BATCH_SIZE = 10;

/**
 * NotifyUser pushes in place to a user with at most this many sockets (one queue hop and one
 * function run less per notification); more sockets go through the NotifyConnection queue.
 */
export const DIRECT_PUSH_LIMIT = 10;
