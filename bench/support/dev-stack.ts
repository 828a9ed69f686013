import { type DevConfig, loadDevConfig } from '@pushline/local/dev';

/** The dev stack's configuration with every port free (port 0), for tests. */
export function devConfigOnFreePorts(env: Readonly<Record<string, string>> = {}): DevConfig {
  return loadDevConfig({
    PUSHLINE_WS_PORT: '0',
    PUSHLINE_HTTP_PORT: '0',
    PUSHLINE_SQS_PORT: '0',
    PUSHLINE_DYNAMODB_PORT: '0',
    ...env,
  });
}
