import { loadConfig } from './config.js';
import { startServer } from './server.js';

const config = loadConfig();
const server = await startServer(config);
const lines = [
  `Pushline standalone server (${config.mode} mode, auth mode '${config.authMode}')`,
  `  WebSocket  ${server.url}`,
  `  HTTP       ${server.httpUrl}`,
  ...(config.mode === 'dev'
    ? [`  POST ${server.httpUrl}/token  {"userId":"…"} → a token for ?token= or the authorize action`]
    : []),
  `  POST ${server.httpUrl}/notify  {"userId":"…","data":…}  with Authorization: Bearer ${config.apiKey === null ? server.apiKey : '<PUSHLINE_API_KEY>'}`,
];
process.stdout.write(`${lines.join('\n')}\n`);

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  process.stdout.write(`${signal}: closing sockets and stopping\n`);
  server.close().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`failed to stop cleanly: ${String(error)}\n`);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => {
  stop('SIGINT');
});
process.on('SIGTERM', () => {
  stop('SIGTERM');
});
