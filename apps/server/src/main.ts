import { stopOnSignals } from '@pushline/adapters/system';
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

stopOnSignals('the server', () => server.close(), {
  ports: [{ host: config.host, port: server.port, name: 'WebSocket and HTTP' }],
});
