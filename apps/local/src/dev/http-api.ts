import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listen, readBody, urlHost } from '@pushline/adapters/system';
import { extname, join, normalize } from 'node:path';
import { errorMessageOf, type InvocableHandler, invoke } from '../invoke.js';
import { type BundledFile, bundlePageScripts } from './page-bundle.js';

/** One route of the local HTTP API, as in an API Gateway HTTP API (`POST /exports`, `GET /exports/{id}`). */
export interface HttpRoute {
  readonly method: string;
  /** A path with `{name}` parameters. */
  readonly path: string;
  readonly functionName: string;
  readonly handler: InvocableHandler;
}

/** Options of {@link startHttpApi}. */
export interface HttpApiOptions {
  readonly host: string;
  readonly port: number;
  readonly routes: readonly HttpRoute[];
  /** Files served for GET requests no route matches (the demo page); `/` is `index.html`. */
  readonly staticDir?: string;
  /** Browser scripts (URL path → TypeScript entry) bundled by esbuild at start and served from memory, before `staticDir`. */
  readonly pageScripts?: Readonly<Record<string, string>>;
  /** Served as `GET /config.json`, for the demo page (the WebSocket URL, the stage). */
  readonly pageConfig?: Readonly<Record<string, unknown>>;
  /** Function timeout; a slower handler answers 503, as API Gateway does. Default 29 s. */
  readonly timeoutMs?: number;
}

/** A running HTTP API. */
export interface HttpApi {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Largest request body, in bytes (API Gateway HTTP APIs take up to 10 MB). */
const MAX_BODY_BYTES = 1024 * 1024;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/**
 * Serves Lambda handlers over HTTP the way an API Gateway HTTP API with Lambda proxy
 * integrations (payload format 2.0) does: it builds the v2 event from the request, calls
 * the handler in process and turns its result into the response.
 */
export async function startHttpApi(options: HttpApiOptions): Promise<HttpApi> {
  const bundled = bundlePageScripts(options.pageScripts ?? {});
  const server = createServer((request, response) => {
    handle(options, bundled, request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, { message: 'Internal Server Error' });
      else response.destroy(error instanceof Error ? error : undefined);
    });
  });
  const port = await listen(server, options.port, options.host);
  return {
    url: `http://${urlHost(options.host)}:${port}`,
    port,
    close: () => closeServer(server),
  };
}

async function handle(
  options: HttpApiOptions,
  bundled: ReadonlyMap<string, BundledFile>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const method = request.method ?? 'GET';
  for (const route of options.routes) {
    if (route.method !== method) continue;
    const parameters = match(route.path, url.pathname);
    if (parameters === null) continue;
    const body = await readBody(request, MAX_BODY_BYTES);
    if (body === undefined) {
      send(response, 413, { message: 'Request Entity Too Large' });
      return;
    }
    const event = toEvent(route, request, url, parameters, body.toString('utf8'), options.port);
    const invocation = await invoke(route.handler, event, route.functionName, options.timeoutMs ?? 29_000);
    if (invocation.kind === 'timedOut') {
      send(response, 503, { message: 'Service Unavailable' });
      return;
    }
    if (invocation.kind === 'failed') {
      process.stderr.write(`${route.functionName} failed: ${errorMessageOf(invocation.error)}\n`);
      send(response, 500, { message: 'Internal Server Error' });
      return;
    }
    sendResult(response, invocation.value);
    return;
  }
  if (method === 'GET' && url.pathname === '/config.json' && options.pageConfig !== undefined) {
    send(response, 200, options.pageConfig);
    return;
  }
  const script = method === 'GET' ? bundled.get(url.pathname) : undefined;
  if (script !== undefined) {
    sendFile(response, script.contentType, script.content);
    return;
  }
  if (
    method === 'GET' &&
    options.staticDir !== undefined &&
    (await serveStatic(options.staticDir, url.pathname, response))
  ) {
    return;
  }
  send(response, 404, { message: 'Not Found' });
}

/** The route's parameters if `path` matches its template, else `null`. */
function match(template: string, path: string): Record<string, string> | null {
  const want = template.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const parameters: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const part = want[i] ?? '';
    const value = got[i] ?? '';
    if (part.startsWith('{') && part.endsWith('}')) {
      if (value === '') return null;
      parameters[part.slice(1, -1)] = decodeURIComponent(value);
    } else if (part !== value) return null;
  }
  return parameters;
}

function toEvent(
  route: HttpRoute,
  request: IncomingMessage,
  url: URL,
  parameters: Record<string, string>,
  body: string,
  port: number,
): Record<string, unknown> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    query[name] = name in query ? `${query[name] ?? ''},${value}` : value;
  const now = new Date();
  const routeKey = `${route.method} ${route.path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(url.search === '' ? {} : { queryStringParameters: query }),
    ...(Object.keys(parameters).length === 0 ? {} : { pathParameters: parameters }),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? `127.0.0.1:${port}`,
      domainPrefix: 'local',
      http: {
        method: route.method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(body === '' ? {} : { body }),
    isBase64Encoded: false,
  };
}

/** Maps a handler's result as payload format 2.0 does: a structured response, or any value as a JSON body. */
function sendResult(response: ServerResponse, result: unknown): void {
  if (
    typeof result === 'object' &&
    result !== null &&
    'statusCode' in result &&
    typeof result.statusCode === 'number'
  ) {
    const structured = result as {
      statusCode: number;
      headers?: Record<string, string | number | boolean>;
      body?: unknown;
      isBase64Encoded?: boolean;
      cookies?: string[];
    };
    const body =
      typeof structured.body === 'string'
        ? Buffer.from(structured.body, structured.isBase64Encoded === true ? 'base64' : 'utf8')
        : Buffer.alloc(0);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(structured.headers ?? {})) headers[name] = String(value);
    if (structured.cookies !== undefined) headers['set-cookie'] = structured.cookies;
    response.writeHead(structured.statusCode, { ...headers, 'content-length': body.length });
    response.end(body);
    return;
  }
  send(response, 200, result ?? null);
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

async function serveStatic(root: string, pathname: string, response: ServerResponse): Promise<boolean> {
  const relative = normalize(decodeURIComponent(pathname === '/' ? '/index.html' : pathname)).replace(
    /^[/\\]+/,
    '',
  );
  // normalize() resolves `..`; anything still climbing out of the root is refused.
  if (relative.startsWith('..')) return false;
  const type = CONTENT_TYPES[extname(relative)];
  if (type === undefined) return false;
  try {
    sendFile(response, type, await readFile(join(root, relative)));
    return true;
  } catch {
    return false;
  }
}

function sendFile(response: ServerResponse, type: string, content: Uint8Array): void {
  response.writeHead(200, {
    'content-type': type,
    'content-length': content.length,
    'cache-control': 'no-store',
  });
  response.end(content);
}
