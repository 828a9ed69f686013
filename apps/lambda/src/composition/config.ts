import { EnvReader, TOKEN_ENV } from '@pushline/adapters/system';

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
  ...TOKEN_ENV,
  authorizeDeadlineSeconds: 'PUSHLINE_AUTHORIZE_DEADLINE_SECONDS',
  dynamoDbEndpoint: 'PUSHLINE_DYNAMODB_ENDPOINT',
  sqsEndpoint: 'PUSHLINE_SQS_ENDPOINT',
  directPushLimit: 'PUSHLINE_DIRECT_PUSH_LIMIT',
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

/** The queues, by the name of their resource. */
export type QueueName = 'NotifyUser' | 'NotifyConnection' | 'Deadlines';

/** The tables, by the name of their resource. */
export type TableName = 'Connections' | 'Exports' | 'Notifications';

/**
 * A resource a function may be granted rights on, by symbol: a table, the connections table's
 * by-user index (`CONNECTIONS_TABLE.byUserIndex`), a queue, or `@connections`, the WebSocket
 * API's Management API. `sst.config.ts` resolves each to the ARN of what it deploys.
 */
export type GrantResource = TableName | 'ConnectionsByUser' | QueueName | '@connections';

/** The IAM actions a resource may be granted: no wildcards, only what a function calls. */
export type GrantAction<R extends GrantResource> = R extends QueueName
  ? 'sqs:SendMessage'
  : R extends '@connections'
    ? 'execute-api:ManageConnections'
    : `dynamodb:${'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'Query'}`;

/** An entry's IAM rights (least privilege): the actions it may call, by resource. */
export type Grants = { readonly [R in GrantResource]?: readonly GrantAction<R>[] };

/** What an entry point needs: the areas it is configured with, and its rights on the deployed resources. */
export interface EntryNeeds {
  readonly needs: readonly Need[];
  readonly grants: Grants;
}

/**
 * Every Lambda entry point, named after its file in `src/handlers/`: what it needs configured
 * (`envFor`), and the rights `sst.config.ts` grants it (the deploy tests check every
 * function's policy is exactly these, each right backed by a need).
 */
export const ENTRIES = {
  authorizer: { needs: ['tokens'], grants: {} },
  connect: {
    needs: ['connections', 'tokens', 'deadlines', 'expiryChecks'],
    grants: { Connections: ['dynamodb:PutItem'], Deadlines: ['sqs:SendMessage'] },
  },
  disconnect: { needs: ['connections'], grants: { Connections: ['dynamodb:DeleteItem'] } },
  // `$default` serves no action (each has its own route): it answers from the frame alone.
  default: { needs: [], grants: {} },
  ping: { needs: [], grants: {} },
  authorize: {
    needs: ['connections', 'tokens', 'expiryChecks'],
    // An authorize schedules its token's expiry check on the deadlines queue.
    grants: { Connections: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], Deadlines: ['sqs:SendMessage'] },
  },
  'notify-user': {
    needs: ['connections', 'notifyQueues', 'directPush', 'stream'],
    grants: {
      ConnectionsByUser: ['dynamodb:Query'],
      NotifyConnection: ['sqs:SendMessage'],
      // Direct pushes to a user's few sockets, and removing the record of a gone one (a
      // conditional delete; GetItem tells a young record from a missing one).
      Connections: ['dynamodb:DeleteItem', 'dynamodb:GetItem'],
      '@connections': ['execute-api:ManageConnections'],
      // The append to the user's stream, before anything is pushed.
      Notifications: ['dynamodb:GetItem', 'dynamodb:PutItem'],
    },
  },
  resume: {
    needs: ['connections', 'stream'],
    grants: { Connections: ['dynamodb:GetItem'], Notifications: ['dynamodb:GetItem', 'dynamodb:Query'] },
  },
  'notify-connection': {
    needs: ['connections', 'pusher'],
    grants: {
      Connections: ['dynamodb:DeleteItem', 'dynamodb:GetItem'],
      '@connections': ['execute-api:ManageConnections'],
    },
  },
  deadline: {
    needs: ['connections', 'pusher', 'expiryChecks'],
    grants: {
      Connections: ['dynamodb:GetItem', 'dynamodb:DeleteItem'],
      '@connections': ['execute-api:ManageConnections'],
      // A token expiry further than SQS's 15-minute delay is checked again, on the same queue.
      Deadlines: ['sqs:SendMessage'],
    },
  },
  token: { needs: ['issuer'], grants: {} },
  'create-export': {
    needs: ['exports', 'notifyQueues', 'tokens'],
    grants: { Exports: ['dynamodb:PutItem'], NotifyUser: ['sqs:SendMessage'] },
  },
  'get-export': { needs: ['exports', 'tokens'], grants: { Exports: ['dynamodb:GetItem'] } },
} as const satisfies Record<string, EntryNeeds>;

export type Entry = keyof typeof ENTRIES;

/** An entry's grants, one per resource: what `sst.config.ts` turns into its IAM statements. */
export function grantsOf(entry: Entry): { resource: GrantResource; actions: readonly string[] }[] {
  const grants: Grants = ENTRIES[entry].grants;
  return (Object.entries(grants) as [GrantResource, readonly string[]][]).map(([resource, actions]) => ({
    resource,
    actions,
  }));
}

/** The variables an entry point reads: required ones, and optional ones it reads when set. */
export function envFor(entry: Entry): { required: readonly EnvName[]; optional: readonly EnvName[] } {
  const needs: readonly Need[] = ENTRIES[entry].needs;
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

/** The levels Powertools Logger takes (in any case). */
const LOG_LEVELS: readonly string[] = ['DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'];

/**
 * Reads the configuration of one entry point from the environment. Pure: returns a frozen
 * object, or throws one error naming every missing or invalid variable. The entry reads only
 * the variables `envFor(entry)` names; any other is as if unset.
 */
export function loadConfig(
  entry: Entry,
  env: Readonly<Record<string, string | undefined>> = process.env,
): AppConfig {
  const { required, optional } = envFor(entry);
  const vars = new EnvReader(Object.fromEntries([...required, ...optional].map((name) => [name, env[name]])));
  for (const name of required) vars.required(name);

  const needs: readonly Need[] = ENTRIES[entry].needs;
  const needsKeys = needs.some((need) => need === 'tokens' || need === 'issuer');
  const needsSecret = needs.includes('issuer');
  // POST /token signs HS256 with the secret; verifiers with a JWKS accept only the identity
  // provider's keys, so every token it issued would be refused: that is this entry's own check.
  const tokens = vars.tokenSettings({ claimsWithJwks: !needsSecret });
  if (needsSecret && tokens.secret === null) vars.problem(`${ENV.tokenSecret} is required`);
  else if (needsKeys && tokens.secret === null && tokens.jwksUrl === null) {
    vars.problem(`${ENV.jwksUrl} or ${ENV.tokenSecret} is required`);
  }
  if (tokens.jwksUrl !== null && needsSecret) {
    vars.problem(
      `${ENV.jwksUrl} is set: POST /token would issue HS256 tokens that every verifier refuses (tokens come from the identity provider)`,
    );
  }
  const logLevel = vars.string(ENV.logLevel);
  if (logLevel !== null && !LOG_LEVELS.includes(logLevel.toUpperCase())) {
    vars.problem(`${ENV.logLevel} must be one of ${LOG_LEVELS.join(', ')}, got '${logLevel}'`);
  }
  // SQS delays a message by 900 s at most: a longer deadline could not be scheduled.
  const authorizeDeadlineMs = vars.integer(ENV.authorizeDeadlineSeconds, 30, 1, 900) * 1000;
  // One batch at most: a user with more sockets is better served by the parallel queue path.
  const directPushLimit = vars.integer(ENV.directPushLimit, 0, 0, 10);
  const managementEndpoint = vars.url(ENV.managementEndpoint);
  if (directPushLimit > 0 && managementEndpoint === null) {
    vars.problem(`${ENV.managementEndpoint} is required when ${ENV.directPushLimit} is above 0`);
  }
  const config: AppConfig = {
    entry,
    mode: vars.oneOf<Mode>(ENV.mode, ['dev', 'production'], 'production'),
    authMode: vars.oneOf<AuthMode>(ENV.authMode, ['connect', 'either'], 'connect'),
    connectionsTable: vars.string(ENV.connectionsTable),
    exportsTable: vars.string(ENV.exportsTable),
    notifyUserQueueUrl: vars.url(ENV.notifyUserQueueUrl),
    notifyConnectionQueueUrl: vars.url(ENV.notifyConnectionQueueUrl),
    deadlinesQueueUrl: vars.url(ENV.deadlinesQueueUrl),
    managementEndpoint,
    tokenKeys:
      tokens.jwksUrl !== null && !needsSecret
        ? { kind: 'jwks', jwksUrl: tokens.jwksUrl }
        : tokens.secret !== null
          ? { kind: 'secret', secret: tokens.secret }
          : null,
    tokenIssuer: tokens.issuer,
    tokenAudience: tokens.audience,
    tokenMaxLifetimeSeconds: vars.tokenMaxLifetimeSeconds(),
    authorizeDeadlineMs,
    directPushLimit,
    notificationsTable: vars.string(ENV.notificationsTable),
    // Retention is bounded by the meta item's 30-day life; the grace by API Gateway's 29 s connect.
    streamRetentionMs: vars.integer(ENV.streamRetentionHours, 24, 1, 720) * 3_600_000,
    connectGraceMs: vars.integer(ENV.connectGraceSeconds, 5, 0, 30) * 1000,
    dynamoDbEndpoint: vars.url(ENV.dynamoDbEndpoint),
    sqsEndpoint: vars.url(ENV.sqsEndpoint),
  };
  if (vars.problems.length > 0) throw new ConfigError(entry, vars.problems);
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
