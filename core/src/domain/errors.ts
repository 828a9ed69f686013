/**
 * Error codes a client can see in an `error` frame (docs/protocol.md lists each one).
 */
export type ClientErrorCode =
  'MALFORMED_FRAME' | 'UNKNOWN_ACTION' | 'PAYLOAD_TOO_LARGE' | 'UNAUTHORIZED' | 'RATE_LIMITED' | 'INTERNAL';

/**
 * Every code the system uses, in one union. Codes are compared as strings, never with
 * `instanceof`, because they survive serialisation and duplicated bundles.
 *
 * - `CONNECTION_GONE`: the peer's socket no longer exists (API Gateway's 410).
 * - `CONNECTION_NOT_FOUND`: the registry has no record of the connection.
 * - `USER_CONFLICT`: the connection is already authorized as another user.
 * - `MALFORMED_QUEUE_MESSAGE`: a NotifyUser or NotifyConnection body failed validation.
 * - `MALFORMED_RECORD`: a stored connection record has missing or wrongly typed attributes.
 * - `TRANSIENT_FAILURE`: an infrastructure fault worth retrying (throttling, 5xx).
 * - `QUEUE_SEND_FAILED`: some messages of a batch could not be enqueued, even after retries.
 * - `EXPORT_NOT_FOUND`: no export with that id belongs to the caller (REST `GET /exports/{id}`).
 */
export type ErrorCode =
  | ClientErrorCode
  | 'CONNECTION_GONE'
  | 'CONNECTION_NOT_FOUND'
  | 'USER_CONFLICT'
  | 'MALFORMED_QUEUE_MESSAGE'
  | 'MALFORMED_RECORD'
  | 'TRANSIENT_FAILURE'
  | 'QUEUE_SEND_FAILED'
  | 'EXPORT_NOT_FOUND';

/** Every client-visible code, in the order docs/protocol.md lists them. */
export const CLIENT_ERROR_CODES: readonly ClientErrorCode[] = [
  'MALFORMED_FRAME',
  'UNKNOWN_ACTION',
  'PAYLOAD_TOO_LARGE',
  'UNAUTHORIZED',
  'RATE_LIMITED',
  'INTERNAL',
];

/**
 * Base class of everything the core and its adapters throw on purpose. Thrown errors are
 * faults (infrastructure or broken invariants); expected failures are returned as outcomes.
 */
export class DomainError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DomainError';
    this.code = code;
  }
}

/**
 * An infrastructure fault that is expected to clear on retry: throttling (HTTP 429,
 * `LimitExceededException`) or a 5xx from a dependency. Transports retry the work
 * (an SQS batch item failure, an in-process redelivery).
 */
export class TransientError extends DomainError {
  constructor(message: string, options?: ErrorOptions) {
    super('TRANSIENT_FAILURE', message, options);
    this.name = 'TransientError';
  }
}

/** Some messages could not be enqueued, even after retries. Nothing is dropped silently: they are named here. */
export class QueueSendError extends DomainError {
  /** The positions, in the batch given to the queue, of the messages that were not enqueued. */
  readonly failedIndexes: readonly number[];

  constructor(message: string, failedIndexes: readonly number[], options?: ErrorOptions) {
    super('QUEUE_SEND_FAILED', message, options);
    this.name = 'QueueSendError';
    this.failedIndexes = failedIndexes;
  }
}

/** Tells whether a thrown value carries one of our codes (works across bundles, unlike `instanceof`). */
export function hasErrorCode(error: unknown, code: ErrorCode): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}
