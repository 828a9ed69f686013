// The standalone server exactly as `pnpm run server` starts it (`startServer(loadConfig(env))`),
// with a fixed secret and API key so the benchmark can issue tokens and notify. Run by
// bench/run.ts as a child process: `pushline-server.ts <heartbeatSeconds>`. Its log lines go to
// stdout, which the parent points at /dev/null: the server still builds and writes every line.
import { loadConfig, startServer } from '@pushline/server';
import { BENCH_API_KEY, BENCH_TOKEN_SECRET, type ChildServer, serveChild } from './child.js';

async function start(heartbeatSeconds: string): Promise<ChildServer> {
  const server = await startServer(
    loadConfig({
      PUSHLINE_PORT: '0',
      PUSHLINE_TOKEN_SECRET: BENCH_TOKEN_SECRET,
      PUSHLINE_API_KEY: BENCH_API_KEY,
      PUSHLINE_HEARTBEAT_SECONDS: heartbeatSeconds,
      // Closed-loop clients send as fast as they can: measure the server, not its rate limit.
      PUSHLINE_RATE_LIMIT: '0',
    }),
  );
  return {
    url: server.url,
    httpUrl: server.httpUrl,
    apiKey: server.apiKey,
    sockets: () => server.connectionCount(),
    close: () => server.close(),
  };
}

await serveChild(() => start(process.argv[2] ?? '30'));
