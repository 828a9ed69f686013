import type { ErrorCode } from './errors.js';

/**
 * Codes only the REST surface answers with: a request body that is not what the route takes,
 * and a route or resource that does not exist.
 */
type HttpOnlyErrorCode = 'BAD_REQUEST' | 'NOT_FOUND';

/** Every code a REST response's `{"error":{"code"}}` can carry. */
export type HttpErrorCode = ErrorCode | HttpOnlyErrorCode;

/**
 * The HTTP status each error code is answered with, for every REST surface (the Lambda
 * handlers behind the HTTP API and the standalone server). Written once so the two cannot
 * answer the same failure with different statuses.
 */
export const HTTP_STATUS_OF_ERROR: Readonly<Record<HttpErrorCode, number>> = {
  BAD_REQUEST: 400,
  MALFORMED_FRAME: 400,
  MALFORMED_QUEUE_MESSAGE: 400,
  UNKNOWN_ACTION: 400,
  UNAUTHORIZED: 401,
  USER_CONFLICT: 409,
  NOT_FOUND: 404,
  EXPORT_NOT_FOUND: 404,
  CONNECTION_NOT_FOUND: 404,
  CONNECTION_GONE: 410,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  MALFORMED_RECORD: 500,
  QUEUE_SEND_FAILED: 503,
  TRANSIENT_FAILURE: 503,
};

/** The HTTP status for an error code; a code outside {@link HTTP_STATUS_OF_ERROR} is a 500. */
export function httpStatusOf(code: string): number {
  return Object.hasOwn(HTTP_STATUS_OF_ERROR, code) ? HTTP_STATUS_OF_ERROR[code as HttpErrorCode] : 500;
}
