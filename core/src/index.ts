// The public surface of @pushline/core: the only path other packages import.

export type { Action, ActionContext } from './actions/action.js';
export { AuthorizeAction } from './actions/authorize.js';
export { PingAction } from './actions/ping.js';
export { ResumeAction, type ResumeOptions } from './actions/resume.js';
export {
  type Connection,
  DEFAULT_AUTHORIZE_DEADLINE_MS,
  DEFAULT_CONNECTION_TTL_MS,
  MAX_CONNECTION_DURATION_MS,
  MAX_SCHEDULE_AHEAD_MS,
} from './domain/connection.js';
export {
  CLOSING_REASONS,
  closingFrame,
  type ClosingFrame,
  type ClosingReason,
  RECONNECT_ADVICE,
  type ReconnectAdvice,
} from './domain/closing.js';
export {
  CLIENT_ERROR_CODES,
  type ClientErrorCode,
  DomainError,
  type ErrorCode,
  hasErrorCode,
  QueueSendError,
  TransientError,
} from './domain/errors.js';
export { HTTP_STATUS_OF_ERROR, type HttpErrorCode, httpStatusOf } from './domain/http-status.js';
export {
  type ClientFrame,
  errorFrame,
  type ErrorFrame,
  isPlainObject,
  MAX_PAYLOAD_BYTES,
  MAX_REQUEST_ID_LENGTH,
  type NotificationFrame,
  notificationPayload,
  parseClientFrame,
  requestIdOf,
  type ResumedFrame,
  parseJson,
  serializeFrame,
  type ServerFrame,
  exceedsUtf8Bytes,
  utf8ByteLength,
} from './domain/frame.js';
export {
  type AuthorizeDeadline,
  type Deadline,
  parseDeadlineMessage,
  serializeDeadlineMessage,
  type TokenExpiryDeadline,
} from './domain/deadline-message.js';
export {
  DELIVERY_METRICS,
  DELIVERY_OUTCOMES,
  type DeliveryOutcome,
  deliveryOutcomeOf,
  ENQUEUE_TO_PUSH_METRIC,
  METRICS_NAMESPACE,
  replyOutcomeOf,
} from './domain/delivery-metrics.js';
export {
  type ConnectionId,
  isId,
  isUserId,
  MAX_ID_LENGTH,
  MAX_USER_ID_LENGTH,
  type NotificationId,
  type UserId,
} from './domain/ids.js';
export { fail, type Failure, ok, type Outcome } from './domain/outcome.js';
export { TokenBucket } from './domain/rate-limit.js';
export { decideReadSince, NO_EPOCH } from './domain/stream.js';
export {
  isSeq,
  type NotifyConnectionMessage,
  type NotifyUserMessage,
  parseNotifyConnectionMessage,
  parseNotifyUserMessage,
} from './domain/queue-messages.js';
export type { Clock } from './ports/clock.js';
export type { ConnectionInfo, ConnectionPusher, PushOutcome } from './ports/connection-pusher.js';
export {
  type AssignUserOutcome,
  type ConnectionPage,
  type ConnectionRepository,
  DEFAULT_PAGE_SIZE,
  type FindByUserOptions,
  type MalformedRecord,
  type RemoveIfAnonymousResult,
  type RemoveIfConnectedBeforeResult,
} from './ports/connection-repository.js';
export type { DeadlineScheduler } from './ports/deadline-scheduler.js';
export {
  type Appended,
  DEFAULT_REPLAY_LIMIT,
  DEFAULT_STREAM_RETENTION_MS,
  MAX_EPOCH_LENGTH,
  type NotificationStream,
  type NotRecoveredReason,
  type ReadSinceOptions,
  type ReadSinceResult,
  type StreamNotification,
  type StreamPosition,
} from './ports/notification-stream.js';
export type { Export, ExportRepository } from './ports/export-repository.js';
export { MAX_QUEUE_BATCH, type MessageQueue, type SendOptions } from './ports/message-queue.js';
export type { TokenVerifier, VerifiedToken } from './ports/token-verifier.js';
export {
  Authorize,
  type AuthorizeInput,
  type AuthorizeOutcome,
  type TokenExpiryScheduling,
} from './use-cases/authorize.js';
export {
  Connect,
  type ConnectInput,
  type Connected,
  type ConnectOptions,
  type ConnectOutcome,
} from './use-cases/connect.js';
export {
  DownloadExport,
  type DownloadExportInput,
  type DownloadExportOutcome,
} from './use-cases/download-export.js';
export { Disconnect, type DisconnectInput, type DisconnectOutcome } from './use-cases/disconnect.js';
export {
  EnforceAuthorizeDeadline,
  type EnforceAuthorizeDeadlineInput,
  type EnforceAuthorizeDeadlineOutcome,
} from './use-cases/enforce-authorize-deadline.js';
export {
  EnforceTokenExpiry,
  type EnforceTokenExpiryInput,
  type EnforceTokenExpiryOutcome,
  tokenExpiryDeadline,
} from './use-cases/enforce-token-expiry.js';
export {
  DEFAULT_CONNECT_GRACE_MS,
  type Delivery,
  NotifyConnection,
  type NotifyConnectionInput,
  type NotifyConnectionOptions,
  type NotifyConnectionOutcome,
} from './use-cases/notify-connection.js';
export {
  NotifyUser,
  type NotifyUserInput,
  type NotifyUserOptions,
  type NotifyUserOutcome,
  type NotifyUserReport,
} from './use-cases/notify-user.js';
export { Route, type RouteInput, type RouteOutcome } from './use-cases/route.js';
export {
  DEFAULT_EXPORT_TTL_MS,
  exportNotificationId,
  exportUrl,
  StartExport,
  type StartExportInput,
  type StartExportOutcome,
} from './use-cases/start-export.js';

import type { Action } from './actions/action.js';
import { AuthorizeAction } from './actions/authorize.js';
import { PingAction } from './actions/ping.js';
import type { Authorize } from './use-cases/authorize.js';

/** The built-in actions, `ping` and `authorize`, for {@link Route}. */
export function defaultActions(authorize: Authorize): readonly Action[] {
  return [new PingAction(), new AuthorizeAction(authorize)];
}
