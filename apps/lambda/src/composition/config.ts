/** Environment variable names of the Lambda functions, shared with `sst.config.ts`. */
export const ENV = {
  mode: 'PUSHLINE_MODE',
  authMode: 'PUSHLINE_AUTH_MODE',
  connectionsTable: 'PUSHLINE_CONNECTIONS_TABLE',
  exportsTable: 'PUSHLINE_EXPORTS_TABLE',
  notifyUserQueueUrl: 'PUSHLINE_NOTIFY_USER_QUEUE_URL',
  notifyConnectionQueueUrl: 'PUSHLINE_NOTIFY_CONNECTION_QUEUE_URL',
  deadlinesQueueUrl: 'PUSHLINE_DEADLINES_QUEUE_URL',
  managementEndpoint: 'PUSHLINE_MANAGEMENT_ENDPOINT',
  tokenSecret: 'PUSHLINE_TOKEN_SECRET',
  jwksUrl: 'PUSHLINE_JWKS_URL',
  tokenIssuer: 'PUSHLINE_TOKEN_ISSUER',
  tokenAudience: 'PUSHLINE_TOKEN_AUDIENCE',
  authorizeDeadlineSeconds: 'PUSHLINE_AUTHORIZE_DEADLINE_SECONDS',
  dynamoDbEndpoint: 'PUSHLINE_DYNAMODB_ENDPOINT',
  sqsEndpoint: 'PUSHLINE_SQS_ENDPOINT',
  directPushLimit: 'PUSHLINE_DIRECT_PUSH_LIMIT',
  tokenMaxLifetimeSeconds: 'PUSHLINE_TOKEN_MAX_LIFETIME_SECONDS',
  /** Read by Powertools itself; `sst.config.ts` sets it per stage. */
  logLevel: 'POWERTOOLS_LOG_LEVEL',
  notificationsTable: 'PUSHLINE_NOTIFICATIONS_TABLE',
  streamRetentionHours: 'PUSHLINE_STREAM_RETENTION_HOURS',
  connectGraceSeconds: 'PUSHLINE_CONNECT_GRACE_SECONDS',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];

/** What a function needs configured, by area. */
export type Need =
  | 'connections'
  | 'exports'
  | 'notifyQueues'
  | 'deadlines'
  | 'expiryChecks'
  | 'pusher'
  | 'directPush'
  | 'tokens'
  | 'issuer'
  | 'stream';

/** Every Lambda entry point, named after its file in `src/handlers/`. */
export const ENTRIES = {
  authorizer: ['tokens'],
  connect: ['connections', 'tokens', 'deadlines', 'expiryChecks'],
  disconnect: ['connections'],
  default: [],
  ping: [],
  authorize: ['connections', 'tokens', 'expiryChecks'],
  'notify-user': ['connections', 'notifyQueues', 'directPush', 'stream'],
  resume: ['connections', 'stream'],
  'notify-connection': ['connections', 'pusher'],
  deadline: ['connections', 'pusher', 'expiryChecks'],
  token: ['issuer'],
  'create-export': ['exports', 'notifyQueues', 'tokens'],
  'get-export': ['exports', 'tokens'],
} as const satisfies Record<string, readonly Need[]>;

export type Entry = keyof typeof ENTRIES;

/** The variables an entry point reads: required ones, and optional ones it reads when set. */
export function envFor(entry: Entry): { required: readonly EnvName[]; optional: readonly EnvName[] } {
  const needs: readonly Need[] = ENTRIES[entry];
  const required = new Set<EnvName>([ENV.mode]);
  const optional = new Set<EnvName>([ENV.logLevel]);
  for (const need of needs) {
    switch (need) {
      case 'connections':
        required.add(ENV.connectionsTable);
        optional.add(ENV.dynamoDbEndpoint);
        break;
      case 'exports':
        required.add(ENV.exportsTable);
        optional.add(ENV.dynamoDbEndpoint);
        break;
      case 'notifyQueues':
        required.add(ENV.notifyUserQueueUrl).add(ENV.notifyConnectionQueueUrl);
        optional.add(ENV.sqsEndpoint);
        break;
      case 'deadlines':
        required.add(ENV.authMode).add(ENV.deadlinesQueueUrl);
        optional.add(ENV.authorizeDeadlineSeconds).add(ENV.sqsEndpoint);
        break;
      case 'expiryChecks':
        // Token expiry checks go on the deadlines queue (a delayed message per check).
        required.add(ENV.deadlinesQueueUrl);
        optional.add(ENV.sqsEndpoint);
        break;
      case 'pusher':
        required.add(ENV.managementEndpoint);
        optional.add(ENV.connectGraceSeconds);
        break;
      case 'directPush':
        optional.add(ENV.directPushLimit).add(ENV.managementEndpoint).add(ENV.connectGraceSeconds);
        break;
      case 'stream':
        required.add(ENV.notificationsTable);
        optional.add(ENV.streamRetentionHours).add(ENV.dynamoDbEndpoint);
        break;
      case 'tokens':
        optional.add(ENV.tokenSecret).add(ENV.jwksUrl).add(ENV.tokenIssuer).add(ENV.tokenAudience);
        optional.add(ENV.tokenMaxLifetimeSeconds);
        break;
      case 'issuer':
        optional.add(ENV.tokenSecret).add(ENV.jwksUrl).add(ENV.tokenIssuer).add(ENV.tokenAudience);
        break;
    }
  }
  return { required: [...required], optional: [...optional] };
}

export type Mode = 'dev' | 'production';
export type AuthMode = 'connect' | 'either';

/** Keys that verify tokens: a shared HS256 secret, or the identity provider's JWKS URL. */
export type TokenKeys =
  { readonly kind: 'secret'; readonly secret: string } | { readonly kind: 'jwks'; readonly jwksUrl: string };

/** The configuration of one Lambda function; areas it does not need are `null`. */
export interface AppConfig {
  readonly entry: Entry;
  /** `dev` serves `POST /token`; `production` does not. */
  readonly mode: Mode;
  /** `connect`: API Gateway's authorizer admits only users; `either`: anonymous sockets may authorize in-band. */
  readonly authMode: AuthMode;
  readonly connectionsTable: string | null;
  readonly exportsTable: string | null;
  readonly notifyUserQueueUrl: string | null;
  readonly notifyConnectionQueueUrl: string | null;
  readonly deadlinesQueueUrl: string | null;
  /** The WebSocket stage's Management API URL, `https://{api}.execute-api.{region}.amazonaws.com/$default`. */
  readonly managementEndpoint: string | null;
  readonly tokenKeys: TokenKeys | null;
  readonly tokenIssuer: string | null;
  readonly tokenAudience: string | null;
  /** Longest token lifetime the verifier accepts, in seconds. */
  readonly tokenMaxLifetimeSeconds: number;
  readonly authorizeDeadlineMs: number;
  /**
   * NotifyUser pushes in place to a user with at most this many connections (0: always one
   * NotifyConnection message per socket). Needs the management endpoint.
   */
  readonly directPushLimit: number;
  /** The table of the users' notification streams (`resume`). */
  readonly notificationsTable: string | null;
  /** How long a notification stays replayable by `resume` (default 24 h). */
  readonly streamRetentionMs: number;
  /** A 410 within this long of a connection's `$connect` keeps its record (default 5 s). */
  readonly connectGraceMs: number;
  /** Endpoint overrides for local peers (dynalite, local-aws-sqs); `null` on AWS. */
  readonly dynamoDbEndpoint: string | null;
  readonly sqsEndpoint: string | null;
}

const URL_PATTERN = /^https?:\/\//;

/** The levels Powertools Logger takes (in any case). */
const LOG_LEVELS: readonly string[] = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'];

/**
 * Reads the configuration of one entry point from the environment. Pure: returns a frozen
 * object, or throws one error naming every missing or invalid variable.
 */
export function loadConfig(
  entry: Entry,
  env: Readonly<Record<string, string | undefined>> = process.env,
): AppConfig {
  const { required, optional } = envFor(entry);
  const reads = new Set<string>([...required, ...optional]);
  const problems: string[] = [];
  const read = (name: EnvName): string | null => {
    if (!reads.has(name)) return null;
    const value = env[name]?.trim();
    if (value === undefined || value === '') {
      if (required.includes(name)) problems.push(`${name} is required`);
      return null;
    }
    return value;
  };
  const url = (name: EnvName): string | null => {
    const value = read(name);
    if (value !== null && !URL_PATTERN.test(value)) problems.push(`${name} must be an http(s) URL`);
    return value;
  };
  const oneOf = <T extends string>(name: EnvName, allowed: readonly T[], fallback: T): T => {
    const value = read(name);
    if (value === null) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`${name} must be one of ${allowed.join(', ')}, got '${value}'`);
    return fallback;
  };

  const mode = oneOf<Mode>(ENV.mode, ['dev', 'production'], 'production');
  const authMode = oneOf<AuthMode>(ENV.authMode, ['connect', 'either'], 'connect');
  const secret = read(ENV.tokenSecret);
  const jwksUrl = url(ENV.jwksUrl);
  const needsKeys = ENTRIES[entry].some((need: Need) => need === 'tokens' || need === 'issuer');
  const needsSecret = ENTRIES[entry].some((need: Need) => need === 'issuer');
  if (secret !== null && new TextEncoder().encode(secret).byteLength < 32) {
    problems.push(`${ENV.tokenSecret} must be at least 32 bytes`);
  }
  if (needsSecret && secret === null) problems.push(`${ENV.tokenSecret} is required`);
  else if (needsKeys && secret === null && jwksUrl === null) {
    problems.push(`${ENV.jwksUrl} or ${ENV.tokenSecret} is required`);
  }
  const tokenIssuer = read(ENV.tokenIssuer);
  const tokenAudience = read(ENV.tokenAudience);
  if (jwksUrl !== null && needsSecret) {
    // POST /token signs HS256 with the secret; verifiers with a JWKS accept only the
    // identity provider's keys, so every token it issued would be refused.
    problems.push(
      `${ENV.jwksUrl} is set: POST /token would issue HS256 tokens that every verifier refuses (tokens come from the identity provider)`,
    );
  } else if (jwksUrl !== null && needsKeys) {
    // One identity provider issues tokens to many apps: OIDC requires the aud check.
    if (tokenIssuer === null) problems.push(`${ENV.tokenIssuer} is required with ${ENV.jwksUrl}`);
    if (tokenAudience === null) problems.push(`${ENV.tokenAudience} is required with ${ENV.jwksUrl}`);
  }
  const logLevel = read(ENV.logLevel);
  if (logLevel !== null && !LOG_LEVELS.includes(logLevel.toUpperCase())) {
    problems.push(`${ENV.logLevel} must be one of ${LOG_LEVELS.join(', ')}, got '${logLevel}'`);
  }
  let tokenMaxLifetimeSeconds = 86_400;
  const maxLifetime = read(ENV.tokenMaxLifetimeSeconds);
  if (maxLifetime !== null) {
    const seconds = Number(maxLifetime);
    if (!Number.isInteger(seconds) || seconds < 60 || seconds > 604_800) {
      problems.push(
        `${ENV.tokenMaxLifetimeSeconds} must be an integer from 60 to 604800, got '${maxLifetime}'`,
      );
    } else tokenMaxLifetimeSeconds = seconds;
  }
  let authorizeDeadlineMs = 30_000;
  const deadline = read(ENV.authorizeDeadlineSeconds);
  if (deadline !== null) {
    const seconds = Number(deadline);
    // SQS delays a message by 900 s at most: a longer deadline could not be scheduled.
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 900) {
      problems.push(`${ENV.authorizeDeadlineSeconds} must be an integer from 1 to 900, got '${deadline}'`);
    } else authorizeDeadlineMs = seconds * 1000;
  }

  let directPushLimit = 0;
  const limit = read(ENV.directPushLimit);
  if (limit !== null) {
    const value = Number(limit);
    // One batch at most: a user with more sockets is better served by the parallel queue path.
    if (!Number.isInteger(value) || value < 0 || value > 10) {
      problems.push(`${ENV.directPushLimit} must be an integer from 0 to 10, got '${limit}'`);
    } else directPushLimit = value;
  }
  if (directPushLimit > 0 && read(ENV.managementEndpoint) === null) {
    problems.push(`${ENV.managementEndpoint} is required when ${ENV.directPushLimit} is above 0`);
  }

  const integer = (name: EnvName, fallback: number, min: number, max: number): number => {
    const value = read(name);
    if (value === null) return fallback;
    const parsed = Number(value);
    if (Number.isInteger(parsed) && parsed >= min && parsed <= max) return parsed;
    problems.push(`${name} must be an integer from ${min} to ${max}, got '${value}'`);
    return fallback;
  };
  // Retention is bounded by the meta item's 30-day life; the grace by API Gateway's 29 s connect.
  const streamRetentionMs = integer(ENV.streamRetentionHours, 24, 1, 720) * 3_600_000;
  const connectGraceMs = integer(ENV.connectGraceSeconds, 5, 0, 30) * 1000;

  const config: AppConfig = {
    entry,
    notificationsTable: read(ENV.notificationsTable),
    streamRetentionMs,
    connectGraceMs,
    mode,
    authMode,
    connectionsTable: read(ENV.connectionsTable),
    exportsTable: read(ENV.exportsTable),
    notifyUserQueueUrl: url(ENV.notifyUserQueueUrl),
    notifyConnectionQueueUrl: url(ENV.notifyConnectionQueueUrl),
    deadlinesQueueUrl: url(ENV.deadlinesQueueUrl),
    managementEndpoint: url(ENV.managementEndpoint),
    directPushLimit,
    tokenKeys:
      jwksUrl !== null && !needsSecret
        ? { kind: 'jwks', jwksUrl }
        : secret !== null
          ? { kind: 'secret', secret }
          : null,
    tokenIssuer,
    tokenAudience,
    tokenMaxLifetimeSeconds,
    authorizeDeadlineMs,
    dynamoDbEndpoint: url(ENV.dynamoDbEndpoint),
    sqsEndpoint: url(ENV.sqsEndpoint),
  };
  if (problems.length > 0) throw new ConfigError(entry, problems);
  return Object.freeze(config);
}

/** What {@link loadConfig} throws: one message naming every problem, and the list of them. */
export class ConfigError extends Error {
  constructor(
    readonly entry: Entry,
    readonly problems: readonly string[],
  ) {
    super(`invalid configuration of '${entry}':\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}
