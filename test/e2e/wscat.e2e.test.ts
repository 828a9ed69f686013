import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { type DevStack, startDevStack } from '@pushline/local/dev';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { devConfigOnFreePorts } from '../../bench/support/dev-stack.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../bench/support/ws-client.js';

const WSCAT = fileURLToPath(new URL('../../node_modules/.bin/wscat', import.meta.url));

let stack: DevStack;

beforeAll(async () => {
  const config = devConfigOnFreePorts();
  stack = await startDevStack(config, { logLevel: 'SILENT' });
}, 60_000);

afterAll(async () => {
  await stack.close();
});

/** wscat as a terminal user runs it: `wscat -c <url>`, typing lines, reading what it prints. */
class Wscat {
  readonly output: string[] = [];
  readonly errors: string[] = [];
  readonly process: ChildProcessWithoutNullStreams;
  private buffered = '';

  constructor(url: string) {
    this.process = spawn(WSCAT, ['--no-color', '-c', url], { stdio: 'pipe' });
    this.process.stdout.setEncoding('utf8');
    this.process.stderr.setEncoding('utf8');
    this.process.stderr.on('data', (chunk: string) => this.errors.push(chunk));
    this.process.on('error', (error) => this.errors.push(error.message));
    this.process.stdout.on('data', (chunk: string) => {
      this.buffered += chunk;
      const lines = this.buffered.split('\n');
      this.buffered = lines.pop() ?? '';
      this.output.push(...lines);
    });
  }

  /** The JSON frames wscat printed, without its prompt. */
  frames(): Record<string, unknown>[] {
    return this.output.flatMap((line) => {
      const start = line.indexOf('{');
      return start === -1 ? [] : [JSON.parse(line.slice(start)) as Record<string, unknown>];
    });
  }

  type(line: string): void {
    this.process.stdin.write(`${line}\n`);
  }

  async stop(): Promise<void> {
    if (this.process.exitCode !== null) return;
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    this.process.kill('SIGTERM');
    await exited;
  }
}

/**
 * Whether a connection opened that was not there before. Counting would race: the previous
 * test's wscat may still be closing, so one connection can leave as this one arrives.
 */
function connectedSince(before: ReadonlySet<string>): boolean {
  return stack.gateway.connectionIds().some((id) => !before.has(id));
}

async function tokenFor(userId: string): Promise<string> {
  const response = await fetch(`${stack.httpUrl}/token`, {
    method: 'POST',
    body: JSON.stringify({ userId }),
  });
  return ((await response.json()) as { token: string }).token;
}

describe('wscat against pnpm dev', () => {
  it('pings, authorizes in-band and receives a notification sent to the queue', async () => {
    const before = new Set(stack.gateway.connectionIds());
    const wscat = new Wscat(stack.wsUrl);
    try {
      // Without a terminal wscat prints no banner: the gateway tells when it has connected.
      await eventually(() => connectedSince(before), 10_000, 'wscat to connect');
      wscat.type('{"action":"ping","name":"terminal"}');
      await eventually(() => wscat.frames().length === 1, 10_000, 'the pong');
      wscat.type(JSON.stringify({ action: 'authorize', token: await tokenFor('wscat-user') }));
      await eventually(() => wscat.frames().length === 2, 10_000, 'the authorized frame');
      await stack.aws.sqs.send(
        new SendMessageCommand({
          QueueUrl: stack.queues.NotifyUser.url,
          MessageBody: JSON.stringify({ userId: 'wscat-user', data: { from: 'the queue' }, id: 'w-1' }),
        }),
      );
      await eventually(() => wscat.frames().length === 3, 10_000, 'the notification');
      expect(wscat.frames()).toEqual([
        { type: 'pong', name: 'terminal' },
        { type: 'authorized', userId: 'wscat-user' },
        {
          type: 'notification',
          id: 'w-1',
          seq: 1,
          epoch: expect.any(String) as string,
          data: { from: 'the queue' },
        },
      ]);
    } finally {
      await wscat.stop();
    }
  });

  it('connects with ?token= and sees an error frame for an unknown action', async () => {
    const before = new Set(stack.gateway.connectionIds());
    const wscat = new Wscat(`${stack.wsUrl}?token=${await tokenFor('wscat-2')}`);
    try {
      // Without a terminal wscat prints no banner: the gateway tells when it has connected.
      await eventually(() => connectedSince(before), 10_000, 'wscat to connect');
      wscat.type('{"action":"nope"}');
      await eventually(() => wscat.frames().length === 1, 10_000, 'the error frame');
      expect(wscat.frames()).toEqual([
        { type: 'error', code: 'UNKNOWN_ACTION', message: "action 'nope' is not implemented" },
      ]);
    } finally {
      await wscat.stop();
    }
  });
});
