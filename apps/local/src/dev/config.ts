// The dev stack's configuration, and the Lambda environment it gives the handlers: the one
// place in @pushline/local's dev stack that reads or writes process.env.
import { MIN_SECRET_BYTES } from '@pushline/adapters/jose';
import { EnvReader, type Environment } from '@pushline/adapters/system';
import { ENV as LAMBDA_ENV } from '@pushline/lambda/config';
import { randomBytes } from 'node:crypto';
import { ENV as GATEWAY_ENV } from '../config.js';

/**
 * Environment variables of `pnpm dev` (listed in apps/local/README.md): the gateway's and the
 * handlers' own names where they mean the same, and the dev stack's ports and log level.
 */
const DEV_ENV = {
  host: GATEWAY_ENV.host,
  wsPort: GATEWAY_ENV.port,
  httpPort: 'PUSHLINE_HTTP_PORT',
  sqsPort: 'PUSHLINE_SQS_PORT',
  dynamoDbPort: 'PUSHLINE_DYNAMODB_PORT',
  stage: GATEWAY_ENV.stage,
  authMode: LAMBDA_ENV.authMode,
  tokenSecret: LAMBDA_ENV.tokenSecret,
  authorizeDeadlineSeconds: LAMBDA_ENV.authorizeDeadlineSeconds,
  logLevel: 'PUSHLINE_LOG_LEVEL',
} as const;

export type DevLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
const LOG_LEVELS: readonly DevLogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'];

export type DevAuthMode = 'either' | 'connect';

/** What `pnpm dev` runs with; every key has an embedded default. */
export interface DevConfig {
  readonly host: string;
  readonly wsPort: number;
  readonly httpPort: number;
  /** local-aws-sqs's port (9324, as ElasticMQ's, so SQS tools find it). */
  readonly sqsPort: number;
  /** dynalite's port (8000, as DynamoDB Local's). */
  readonly dynamoDbPort: number;
  readonly stage: string;
  readonly authMode: DevAuthMode;
  /** HS256 secret of the dev token issuer; generated at start when not set. */
  readonly tokenSecret: string;
  readonly authorizeDeadlineSeconds: number;
  /** Level of the handlers' logs (one JSON line per outcome at INFO). */
  readonly logLevel: DevLogLevel;
}

/** Reads and checks every key; throws one error naming every invalid variable. */
export function loadDevConfig(env: Environment = process.env): DevConfig {
  const vars = new EnvReader(env);
  const stage = vars.stage(DEV_ENV.stage, 'local');
  const secret = vars.secret(DEV_ENV.tokenSecret);
  // Levels are accepted in any case (`info` or `INFO`), as Powertools takes them.
  const level = (vars.string(DEV_ENV.logLevel) ?? 'INFO').toUpperCase();
  const logLevel = LOG_LEVELS.find((known) => known === level);
  if (logLevel === undefined) {
    vars.problem(`${DEV_ENV.logLevel} must be one of ${LOG_LEVELS.join(', ')}, got '${level}'`);
  }
  const config: DevConfig = {
    host: vars.string(DEV_ENV.host) ?? '127.0.0.1',
    wsPort: vars.integer(DEV_ENV.wsPort, 3001, 0, 65535),
    httpPort: vars.integer(DEV_ENV.httpPort, 3000, 0, 65535),
    sqsPort: vars.integer(DEV_ENV.sqsPort, 9324, 0, 65535),
    dynamoDbPort: vars.integer(DEV_ENV.dynamoDbPort, 8000, 0, 65535),
    stage,
    authMode: vars.oneOf<DevAuthMode>(DEV_ENV.authMode, ['either', 'connect'], 'either'),
    tokenSecret: secret ?? randomBytes(MIN_SECRET_BYTES).toString('hex'),
    authorizeDeadlineSeconds: vars.integer(DEV_ENV.authorizeDeadlineSeconds, 30, 1, 900),
    logLevel: logLevel ?? 'INFO',
  };
  vars.throwIfInvalid();
  return Object.freeze(config);
}

/**
 * Sets the Lambda environment of the handlers in this process, as a deployment sets each
 * function's. Handlers read it once, when their module loads.
 */
export function applyLambdaEnvironment(variables: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(variables)) process.env[name] = value;
}
