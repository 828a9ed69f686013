/**
 * The Lambda runtime every function is deployed on: Node.js 24, SST 4's default runtime
 * (nodejs22.x's Lambda support ends 2027-04-30). The bundles target ES2023, which it runs.
 */
export const LAMBDA_RUNTIME = 'nodejs24.x' as const;

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

/** How long a dead-letter queue keeps a message: 14 days, SQS's maximum (its default is 4). */
export const DLQ_RETENTION_SECONDS = 14 * 24 * 60 * 60;

/**
 * The WebSocket stage's default route throttling (messages a second, and burst), below the
 * account's API Gateway quota (10,000 a second, burst 5,000, shared by every API in the region).
 * Overridden at deploy by `PUSHLINE_WS_THROTTLE_RATE` and `PUSHLINE_WS_THROTTLE_BURST`.
 */
export const WS_THROTTLE = { rate: 1_000, burst: 500 } as const;
