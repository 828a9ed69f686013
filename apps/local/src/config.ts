// The CLI's configuration, read from the environment in one place: no other module of the
// CLI touches `process.env`.
import { EnvReader, type Environment } from '@pushline/adapters/system';
import { DEFAULT_TIMEOUTS, type LocalGatewayTimeouts } from './gateway.js';

/** What `pnpm dev`'s gateway listens on (the root README's Quick start); every key has a default. */
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
  openDelayMs: 'PUSHLINE_OPEN_DELAY_MS',
} as const;

/** Reads and checks every key; throws one error naming every invalid variable. */
export function loadConfig(env: Environment = process.env): LocalGatewayConfig {
  const vars = new EnvReader(env);
  const stage = vars.stage(ENV.stage, 'local');
  const config: LocalGatewayConfig = {
    host: vars.string(ENV.host) ?? '127.0.0.1',
    port: vars.integer(ENV.port, 3001, 0, 65535),
    stage,
    timeouts: {
      idleMs: vars.integer(ENV.idleMs, DEFAULT_TIMEOUTS.idleMs, 1, 2 ** 31 - 1),
      maxDurationMs: vars.integer(ENV.maxDurationMs, DEFAULT_TIMEOUTS.maxDurationMs, 1, 2 ** 31 - 1),
      integrationMs: vars.integer(ENV.integrationMs, DEFAULT_TIMEOUTS.integrationMs, 1, 2 ** 31 - 1),
      closeGraceMs: DEFAULT_TIMEOUTS.closeGraceMs,
      openDelayMs: vars.integer(ENV.openDelayMs, DEFAULT_TIMEOUTS.openDelayMs, 0, 29_000),
    },
  };
  vars.throwIfInvalid();
  return Object.freeze(config);
}
