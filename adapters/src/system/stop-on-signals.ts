import { createServer } from 'node:net';

/** A port a service listens on, named for the stop report (`3000 (HTTP)`). */
export interface HeldPort {
  readonly host: string;
  readonly port: number;
  /** What listens there, e.g. `HTTP` or `WebSocket`. */
  readonly name: string;
}

/** What a service holds while it runs, checked once it has closed. */
export interface HeldResources {
  /** Every port it listens on; each must be bindable again once it closed. */
  readonly ports: readonly HeldPort[];
  /**
   * Threads it ran that its `close` waits for, named for the report (`the peers worker thread`).
   * Child processes need no list: none may be left, whoever started them.
   */
  readonly threads?: readonly string[];
}

/**
 * Why `resources` are not all released now, or an empty list. Ports are bound once each (on their
 * own host, exclusively) and let go; a listening server or a child process still open in this
 * process is found among its active resources.
 */
export async function unreleased(resources: HeldResources): Promise<string[]> {
  const problems: string[] = [];
  const active = await settledResources();
  const children = active.filter((resource) => resource === 'ProcessWrap').length;
  if (children > 0) problems.push(`${children} child process${children === 1 ? '' : 'es'} still running`);
  const servers = active.filter((resource) => resource === 'TCPServerWrap').length;
  if (servers > 0) problems.push(`${servers} server${servers === 1 ? '' : 's'} still listening`);
  const results = await Promise.all(
    resources.ports.map(async (port) => ({ port, error: await bindOnce(port) })),
  );
  for (const { port, error } of results) {
    if (error !== null) problems.push(`port ${port.port} (${port.name}) still held: ${error}`);
  }
  return problems;
}

/** Resources that hold a process open: a listening server, a child process. */
const HOLDING = new Set(['TCPServerWrap', 'ProcessWrap']);

/**
 * This process's active resources once closed handles are gone: a handle closed a moment ago is
 * listed until the event loop's next turn, so this waits up to a few turns (at most 500 ms).
 */
async function settledResources(): Promise<string[]> {
  const deadline = Date.now() + 500;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    const active = process.getActiveResourcesInfo();
    if (!active.some((resource) => HOLDING.has(resource)) || Date.now() >= deadline) return active;
  }
}

function bindOnce(port: HeldPort): Promise<string | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      resolve(error.code ?? error.message);
    });
    server.listen({ host: port.host, port: port.port, exclusive: true }, () => {
      server.close(() => {
        resolve(null);
      });
    });
  });
}

/** The stop report's last line, e.g. `stopped the server: every port released (8080 WebSocket and HTTP), …`. */
export function stoppedLine(what: string, resources: HeldResources): string {
  const ports = resources.ports.map((port) => `${port.port} ${port.name}`).join(', ');
  const threads = (resources.threads ?? []).map((thread) => `, ${thread} ended`).join('');
  return `stopped ${what}: every port released (${ports})${threads}, no child process left; exit code 0`;
}

/**
 * Stops a running service cleanly on SIGINT or SIGTERM (once, whatever arrives next), then exits.
 * With `resources`, it first checks that the service released them (`unreleased`) and makes its
 * last line say so (`stoppedLine`); it exits 0 only when `close` resolved and, with `resources`,
 * everything was released, and 1 otherwise, with the reason on stderr.
 */
export function stopOnSignals(what: string, close: () => Promise<void>, resources?: HeldResources): void {
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: stopping ${what}\n`);
    try {
      await close();
    } catch (error) {
      process.stderr.write(`failed to stop ${what} cleanly: ${String(error)}\n`);
      process.exit(1);
    }
    if (resources === undefined) process.exit(0);
    const problems = await unreleased(resources);
    if (problems.length > 0) {
      process.stderr.write(`stopped ${what}, but not cleanly: ${problems.join('; ')}; exit code 1\n`);
      process.exit(1);
    }
    process.stdout.write(`${stoppedLine(what, resources)}\n`);
    process.exit(0);
  };
  process.on('SIGINT', () => {
    void stop('SIGINT');
  });
  process.on('SIGTERM', () => {
    void stop('SIGTERM');
  });
}
