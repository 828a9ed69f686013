/** The Lambda runtime every function is deployed on. */
export const LAMBDA_RUNTIME = 'nodejs22.x' as const;

/**
 * Packages the deployed bundles leave out because the runtime provides them: the AWS SDK v3.
 * `sst.config.ts` passes this as `nodejs.esbuild.external`, and `pnpm build:lambdas` does the same.
 */
export const RUNTIME_PROVIDED: readonly string[] = ['@aws-sdk/*'];
