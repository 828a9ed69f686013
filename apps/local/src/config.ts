// The CLI's configuration, read from the environment in one place (STYLE §5).
import { DEFAULT_TIMEOUTS, type LocalGatewayTimeouts } from './gateway.js';

/** What `pnpm dev`'s gateway listens on (DESIGN §8); every key has a default. */
export interface LocalGatewayConfig {
  readonly host: string;
  readonly port: number;
  readonly stage: string;
  readonly timeouts: LocalGatewayTimeouts;
}

/** Environment variable names, shared with whatever starts the dev stack. */
export const ENV = {
  host: 'PUSHLINE_HOST',
  port: 'PUSHLINE_WS_PORT',
  stage: 'PUSHLINE_STAGE',
  idleMs: 'PUSHLINE_IDLE_TIMEOUT_MS',
  maxDurationMs: 'PUSHLINE_MAX_CONNECTION_MS',
  integrationMs: 'PUSHLINE_INTEGRATION_TIMEOUT_MS',
} as const;

/** Reads and checks every key; throws one error naming every invalid variable. */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): LocalGatewayConfig {
  const problems: string[] = [];
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got '${raw}'`);
      return fallback;
    }
    return value;
  };
  const stage = env[ENV.stage] ?? 'local';
  if (!/^[A-Za-z0-9_-]+$/.test(stage))
    problems.push(`${ENV.stage} must match [A-Za-z0-9_-]+, got '${stage}'`);
  const config: LocalGatewayConfig = {
    host: env[ENV.host] ?? '127.0.0.1',
    port: integer(ENV.port, 3001, 0, 65535),
    stage,
    timeouts: {
      idleMs: integer(ENV.idleMs, DEFAULT_TIMEOUTS.idleMs, 1, 2 ** 31 - 1),
      maxDurationMs: integer(ENV.maxDurationMs, DEFAULT_TIMEOUTS.maxDurationMs, 1, 2 ** 31 - 1),
      integrationMs: integer(ENV.integrationMs, DEFAULT_TIMEOUTS.integrationMs, 1, 2 ** 31 - 1),
      closeGraceMs: DEFAULT_TIMEOUTS.closeGraceMs,
    },
  };
  if (problems.length > 0) throw new Error(`invalid configuration:\n- ${problems.join('\n- ')}`);
  return Object.freeze(config);
}
