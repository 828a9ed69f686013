import { bearerToken as bearerTokenOf, readBody as readWholeBody } from '@pushline/adapters/system';
import { type HttpErrorCode, httpStatusOf } from '@pushline/core';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Largest HTTP request body the server reads, in bytes. */
const MAX_BODY_BYTES = 256 * 1024;

/** A request answered with an error code; its status is core's `httpStatusOf(code)`. */
export class HttpError extends Error {
  constructor(
    readonly code: HttpErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Reads a request body as UTF-8, refusing more than {@link MAX_BODY_BYTES} with 413. */
export async function readBody(request: IncomingMessage): Promise<string> {
  const declared = Number(request.headers['content-length'] ?? '0');
  if (declared > MAX_BODY_BYTES)
    throw new HttpError('PAYLOAD_TOO_LARGE', `body over ${MAX_BODY_BYTES} bytes`);
  const body = await readWholeBody(request, MAX_BODY_BYTES);
  if (body === undefined) throw new HttpError('PAYLOAD_TOO_LARGE', `body over ${MAX_BODY_BYTES} bytes`);
  return body.toString('utf8');
}

/** Sends a JSON response. */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(text);
}

/** Sends `{"error":{"code","message"}}` with the code's status (core's `httpStatusOf`). */
export function sendError(response: ServerResponse, code: HttpErrorCode, message: string): void {
  sendJson(response, httpStatusOf(code), { error: { code, message } });
}

/** The bearer token of an `Authorization` header, or `null`. */
export function bearerToken(request: IncomingMessage): string | null {
  return bearerTokenOf(request.headers.authorization);
}
