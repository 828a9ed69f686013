/** An environment: `process.env`, or a record a test builds. */
export type Environment = Readonly<Record<string, string | undefined>>;

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
  private readonly problems: string[] = [];

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

  /** Records a problem found by the caller's own checks. */
  problem(message: string): void {
    this.problems.push(message);
  }

  /** Throws one error naming every problem, if there was any. */
  throwIfInvalid(): void {
    if (this.problems.length > 0) {
      throw new Error(`invalid configuration:\n  - ${this.problems.join('\n  - ')}`);
    }
  }
}
