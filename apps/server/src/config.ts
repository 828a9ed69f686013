import { EnvReader, type Environment, TOKEN_ENV } from '@pushline/adapters/system';

/** Environment variable names of the standalone server (one place, shared with docs and tests). */
const ENV = {
  host: 'PUSHLINE_HOST',
  port: 'PUSHLINE_PORT',
  mode: 'PUSHLINE_MODE',
  authMode: 'PUSHLINE_AUTH_MODE',
  ...TOKEN_ENV,
  apiKey: 'PUSHLINE_API_KEY',
  authorizeDeadlineSeconds: 'PUSHLINE_AUTHORIZE_DEADLINE_SECONDS',
  heartbeatSeconds: 'PUSHLINE_HEARTBEAT_SECONDS',
  rateLimit: 'PUSHLINE_RATE_LIMIT',
  rateBurst: 'PUSHLINE_RATE_BURST',
  allowDevOnNetwork: 'PUSHLINE_ALLOW_DEV_ON_NETWORK',
  streamRetentionHours: 'PUSHLINE_STREAM_RETENTION_HOURS',
} as const;

/** Whether `host` only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
}

export type Mode = 'dev' | 'production';
export type AuthMode = 'either' | 'connect';

export type TokenKeys =
  | { readonly kind: 'secret'; readonly secret: string | null }
  | { readonly kind: 'jwks'; readonly jwksUrl: string };

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** `dev` serves `POST /token` and generates missing secrets; `production` requires them. */
  readonly mode: Mode;
  /** `either`: a token at connect or in-band; `connect`: a token is required at connect. */
  readonly authMode: AuthMode;
  /** HS256 secret (`null`: generate one at start, dev only) or a JWKS URL. */
  readonly tokenKeys: TokenKeys;
  readonly tokenIssuer: string | null;
  readonly tokenAudience: string | null;
  /** The key `POST /notify` requires (`null`: generate one at start, dev only). */
  readonly apiKey: string | null;
  readonly authorizeDeadlineMs: number;
  readonly heartbeatMs: number;
  /** Frames a second one socket may send, on average (0: no limit). */
  readonly rateLimit: number;
  /** Frames one socket may send at once above the average. */
  readonly rateBurst: number;
  /** Longest token lifetime the verifier accepts, in seconds. */
  readonly tokenMaxLifetimeSeconds: number;
  /** How long a notification stays replayable by `resume` (default 24 h). */
  readonly streamRetentionMs: number;
}

/**
 * Reads the server's configuration from the environment. Pure: returns a frozen object, or
 * throws one error naming every missing or invalid variable.
 */
export function loadConfig(env: Environment = process.env): ServerConfig {
  const vars = new EnvReader(env);
  const mode = vars.oneOf<Mode>(ENV.mode, ['dev', 'production'], 'dev');
  const { secret, jwksUrl, issuer: tokenIssuer, audience: tokenAudience } = vars.tokenSettings();
  const apiKey = vars.string(ENV.apiKey);
  if (mode === 'production') {
    if (jwksUrl === null && secret === null) vars.problem(`${ENV.jwksUrl} or ${ENV.tokenSecret} is required`);
    if (apiKey === null) vars.problem(`${ENV.apiKey} is required`);
  }
  if (apiKey !== null && apiKey.length < 16) vars.problem(`${ENV.apiKey} must be at least 16 characters`);
  const host = vars.string(ENV.host) ?? '127.0.0.1';
  // Dev mode serves POST /token (a token for any user, to anyone who asks) and makes up
  // missing secrets: fine on this machine, not on a network, unless someone says so.
  const allowDevOnNetwork = vars.oneOf(ENV.allowDevOnNetwork, ['true', 'false'], 'false') === 'true';
  if (mode === 'dev' && !isLoopbackHost(host) && !allowDevOnNetwork) {
    vars.problem(
      `${ENV.mode} is dev (the default) and ${ENV.host} is '${host}', which other machines can reach: dev mode serves POST /token to anyone. Set ${ENV.mode}=production (with ${ENV.tokenSecret} or ${ENV.jwksUrl}, and ${ENV.apiKey}), or ${ENV.allowDevOnNetwork}=true if this is intended`,
    );
  }

  const config: ServerConfig = {
    host,
    port: vars.integer(ENV.port, 8080, 0, 65535),
    mode,
    authMode: vars.oneOf<AuthMode>(ENV.authMode, ['either', 'connect'], 'either'),
    tokenKeys: jwksUrl !== null ? { kind: 'jwks', jwksUrl } : { kind: 'secret', secret },
    tokenIssuer,
    tokenAudience,
    apiKey,
    authorizeDeadlineMs: vars.integer(ENV.authorizeDeadlineSeconds, 30, 1, 3600) * 1000,
    heartbeatMs: vars.integer(ENV.heartbeatSeconds, 30, 1, 3600) * 1000,
    rateLimit: vars.integer(ENV.rateLimit, 50, 0, 1_000_000),
    rateBurst: vars.integer(ENV.rateBurst, 100, 1, 1_000_000),
    tokenMaxLifetimeSeconds: vars.tokenMaxLifetimeSeconds(),
    streamRetentionMs: vars.integer(ENV.streamRetentionHours, 24, 1, 720) * 3_600_000,
  };
  vars.throwIfInvalid();
  return Object.freeze(config);
}
