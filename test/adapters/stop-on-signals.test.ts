// The release check behind the stop report: it must name what is still held (a port, a listening
// server, a child process) and find nothing once everything is let go.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { type HeldResources, stoppedLine, unreleased } from '@pushline/adapters/system';
import { describe, expect, it } from 'vitest';

function listening(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, port: (server.address() as { port: number }).port });
    });
  });
}

function closed(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
  });
}

describe('unreleased', () => {
  it('finds nothing once the ports are closed', async () => {
    const { server, port } = await listening();
    await closed(server);
    expect(await unreleased({ ports: [{ host: '127.0.0.1', port, name: 'HTTP' }] })).toEqual([]);
  });

  it('names a port still held and the server still listening on it', async () => {
    const { server, port } = await listening();
    try {
      const problems = await unreleased({ ports: [{ host: '127.0.0.1', port, name: 'HTTP' }] });
      expect(problems).toEqual(['1 server still listening', `port ${port} (HTTP) still held: EADDRINUSE`]);
    } finally {
      await closed(server);
    }
  });

  it('names a child process still running', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      expect(await unreleased({ ports: [] })).toEqual(['1 child process still running']);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    expect(await unreleased({ ports: [] })).toEqual([]);
  });
});

describe('stoppedLine', () => {
  it('says the service stopped, lists every port and thread, and that no child is left', () => {
    const resources: HeldResources = {
      ports: [
        { host: '127.0.0.1', port: 3000, name: 'HTTP' },
        { host: '127.0.0.1', port: 3001, name: 'WebSocket' },
      ],
      threads: ['the peers worker thread'],
    };
    expect(stoppedLine('the dev stack', resources)).toBe(
      'stopped the dev stack: every port released (3000 HTTP, 3001 WebSocket), the peers worker thread ended, no child process left; exit code 0',
    );
  });
});
