// The local gateway's CLI and its configuration: environment in, URLs out, clean exit on SIGINT.
import { spawn } from 'node:child_process';
import { ENV, loadConfig } from '@pushline/local';
import { describe, expect, it } from 'vitest';
import { connect, within } from '../../support/local-gateway.js';

describe('local gateway configuration', () => {
  it('defaults to 127.0.0.1:3001, stage local and the AWS timers', () => {
    expect(loadConfig({})).toEqual({
      host: '127.0.0.1',
      port: 3001,
      stage: 'local',
      timeouts: {
        idleMs: 600_000,
        maxDurationMs: 7_200_000,
        integrationMs: 29_000,
        closeGraceMs: 1000,
        openDelayMs: 0,
      },
    });
  });

  it('reads every variable and names every invalid one in a single error', () => {
    expect(
      loadConfig({ [ENV.host]: '0.0.0.0', [ENV.port]: '0', [ENV.stage]: 'dev', [ENV.idleMs]: '500' }),
    ).toMatchObject({
      host: '0.0.0.0',
      port: 0,
      stage: 'dev',
      timeouts: { idleMs: 500 },
    });
    let message = '';
    try {
      loadConfig({ [ENV.port]: '70000', [ENV.stage]: 'a/b', [ENV.integrationMs]: 'soon' });
    } catch (error) {
      message = error instanceof Error ? error.message : '';
    }
    for (const name of [ENV.port, ENV.stage, ENV.integrationMs]) expect(message).toContain(name);
  });
});

describe('local gateway CLI', () => {
  it('prints its URLs, answers ping, and exits 0 on SIGINT', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/local/src/cli.ts'], {
      env: { ...process.env, [ENV.port]: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      let output = '';
      const url = await within(
        new Promise<string>((resolve) => {
          child.stdout.on('data', (chunk: Buffer) => {
            output += chunk.toString();
            const match = /WebSocket: +(ws:\/\/\S+)/.exec(output);
            if (match?.[1] !== undefined) resolve(match[1]);
          });
        }),
        20_000,
        'the CLI to print its URL',
      );
      expect(output).toMatch(
        /@connections: +http:\/\/127\.0\.0\.1:\d+\/local\/@connections\/\{connectionId\}/,
      );
      const client = await connect(url);
      await client.send('{"action":"ping","name":"cli"}');
      expect(await client.nextFrame()).toBe('{"type":"pong","name":"cli"}');
      // core's PingAction answers, with its rule for `name`.
      await client.send('{"action":"ping","name":5}');
      expect(JSON.parse(await client.nextFrame())).toEqual({
        type: 'error',
        code: 'MALFORMED_FRAME',
        message: "'name' must be a string",
      });
      child.kill('SIGINT');
      expect((await client.closed()).code).toBe(1001);
      expect(await within(exited, 10_000, 'the CLI to exit')).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 30_000);
});
