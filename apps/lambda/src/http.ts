import { bearerToken as bearerTokenOf } from '@pushline/adapters/system';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number };

export function json(statusCode: number, body: unknown): HttpResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

export function httpError(statusCode: number, code: string, message: string): HttpResult {
  return json(statusCode, { error: { code, message } });
}

/** The token of an `Authorization: Bearer <token>` header (HTTP API lowercases header names). */
export function bearerToken(event: APIGatewayProxyEventV2): string | null {
  return bearerTokenOf(event.headers.authorization);
}

/** The request body as text (HTTP API base64-encodes bodies it considers binary). */
export function bodyText(event: APIGatewayProxyEventV2): string {
  if (event.body === undefined) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}
