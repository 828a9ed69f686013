import { MIN_SECRET_BYTES } from '../jose/min-secret-bytes.js';

/** An environment: `process.env`, or a record a test builds. */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The variables that say how tokens are checked, the same in every app: an HS256 secret or
 * the identity provider's JWKS URL, the claims a token must carry, and its longest lifetime.
 */
export const TOKEN_ENV = {
  tokenSecret: 'PUSHLINE_TOKEN_SECRET',
  jwksUrl: 'PUSHLINE_JWKS_URL',
  tokenIssuer: 'PUSHLINE_TOKEN_ISSUER',
  tokenAudience: 'PUSHLINE_TOKEN_AUDIENCE',
  tokenMaxLifetimeSeconds: 'PUSHLINE_TOKEN_MAX_LIFETIME_SECONDS',
} as const;

/** What {@link EnvReader.tokenSettings} read: each `null` when unset. */
export interface TokenSettings {
  readonly secret: string | null;
  readonly jwksUrl: string | null;
  readonly issuer: string | null;
  readonly audience: string | null;
}

/** Stage names (`PUSHLINE_STAGE`): what API Gateway takes in a stage's URL path. */
const STAGE_NAME = /^[A-Za-z0-9_-]+$/;

/** Whether a name is one API Gateway takes as a stage (letters, digits, `_` and `-`). */
export function isStageName(name: string): boolean {
  return STAGE_NAME.test(name);
}

const HTTP_URL = /^https?:\/\//;

/**
 * Reads and checks configuration variables, collecting every problem instead of stopping at
 * the first, so a misconfigured process names all of them in one error. It reads only the
 * record it is given (each app's `config.ts` passes `process.env`).
 *
 * @example
 * ```ts
 * const env = new EnvReader(process.env);
 * const port = env.integer('PUSHLINE_PORT', 8080, 0, 65535);
 * env.throwIfInvalid(); // Error: invalid configuration: - PUSHLINE_PORT must be an integer …
 * ```
 */
export class EnvReader {
  private readonly problemList: string[] = [];

  constructor(private readonly env: Environment) {}

  /** The trimmed value, or `null` when unset or blank. */
  string(name: string): string | null {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? null : value;
  }

  /** An integer from `min` to `max`; `fallback` when unset. */
  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.string(name);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problem(`${name} must be an integer from ${min} to ${max}, got '${raw}'`);
      return fallback;
    }
    return value;
  }

  /** One of `allowed`; `fallback` when unset. */
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.string(name);
    if (raw === null) return fallback;
    const found = allowed.find((value) => value === raw);
    if (found !== undefined) return found;
    this.problem(`${name} must be one of ${allowed.join(', ')}, got '${raw}'`);
    return fallback;
  }

  /** The value; a problem (`NAME is required`) when unset or blank. */
  required(name: string): string | null {
    const value = this.string(name);
    if (value === null) this.problem(`${name} is required`);
    return value;
  }

  /** An `http://` or `https://` URL; `null` when unset. */
  url(name: string): string | null {
    const value = this.string(name);
    if (value !== null && !HTTP_URL.test(value)) this.problem(`${name} must be an http(s) URL`);
    return value;
  }

  /** An HS256 secret of at least `MIN_SECRET_BYTES` bytes (UTF-8); `null` when unset. */
  secret(name: string): string | null {
    const value = this.string(name);
    if (value !== null && new TextEncoder().encode(value).byteLength < MIN_SECRET_BYTES) {
      this.problem(`${name} must be at least ${MIN_SECRET_BYTES} bytes`);
    }
    return value;
  }

  /** A stage name (letters, digits, `_` and `-`); `fallback` when unset. */
  stage(name: string, fallback: string): string {
    const value = this.string(name) ?? fallback;
    if (!isStageName(value)) this.problem(`${name} must match [A-Za-z0-9_-]+, got '${value}'`);
    return value;
  }

  /**
   * The {@link TOKEN_ENV} settings: the secret (checked by {@link secret}), the JWKS URL (by
   * {@link url}), the issuer and the audience. With a JWKS URL both claims are required, as one
   * identity provider issues tokens to many apps and OIDC requires the `aud` check; a reader
   * that refuses a JWKS URL on its own terms passes `claimsWithJwks: false`.
   */
  tokenSettings(options: { readonly claimsWithJwks?: boolean } = {}): TokenSettings {
    const settings = {
      secret: this.secret(TOKEN_ENV.tokenSecret),
      jwksUrl: this.url(TOKEN_ENV.jwksUrl),
      issuer: this.string(TOKEN_ENV.tokenIssuer),
      audience: this.string(TOKEN_ENV.tokenAudience),
    };
    if (settings.jwksUrl !== null && (options.claimsWithJwks ?? true)) {
      if (settings.issuer === null)
        this.problem(`${TOKEN_ENV.tokenIssuer} is required with ${TOKEN_ENV.jwksUrl}`);
      if (settings.audience === null) {
        this.problem(`${TOKEN_ENV.tokenAudience} is required with ${TOKEN_ENV.jwksUrl}`);
      }
    }
    return settings;
  }

  /** The longest token lifetime a verifier accepts, in seconds (60 s to 7 days, default 1 day). */
  tokenMaxLifetimeSeconds(): number {
    return this.integer(TOKEN_ENV.tokenMaxLifetimeSeconds, 86_400, 60, 604_800);
  }

  /** Every problem found so far, in the order found. */
  get problems(): readonly string[] {
    return [...this.problemList];
  }

  /** Records a problem found by the caller's own checks. */
  problem(message: string): void {
    this.problemList.push(message);
  }

  /** Throws one error naming every problem, if there was any. */
  throwIfInvalid(): void {
    if (this.problemList.length > 0) {
      throw new Error(`invalid configuration:\n  - ${this.problemList.join('\n  - ')}`);
    }
  }
}
