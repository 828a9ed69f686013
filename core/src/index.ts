// The public surface of @pushline/core: the only path other packages import.

export type { Action, ActionContext } from './actions/action.js';
export { AuthorizeAction } from './actions/authorize.js';
export { PingAction } from './actions/ping.js';
export {
  type Connection,
  DEFAULT_AUTHORIZE_DEADLINE_MS,
  DEFAULT_CONNECTION_TTL_MS,
  MAX_CONNECTION_DURATION_MS,
} from './domain/connection.js';
export {
  CLIENT_ERROR_CODES,
  type ClientErrorCode,
  DomainError,
  type ErrorCode,
  hasErrorCode,
  QueueSendError,
  TransientError,
} from './domain/errors.js';
export {
  type ClientFrame,
  errorFrame,
  type ErrorFrame,
  isPlainObject,
  MAX_PAYLOAD_BYTES,
  parseClientFrame,
  parseJson,
  serializeFrame,
  type ServerFrame,
  exceedsUtf8Bytes,
  utf8ByteLength,
} from './domain/frame.js';
export {
  type AuthorizeDeadline,
  parseDeadlineMessage,
  serializeDeadlineMessage,
} from './domain/deadline-message.js';
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
export {
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
} from './ports/connection-repository.js';
export type { DeadlineScheduler } from './ports/deadline-scheduler.js';
export type { Export, ExportRepository } from './ports/export-repository.js';
export { MAX_QUEUE_BATCH, type MessageQueue, type SendOptions } from './ports/message-queue.js';
export type { TokenVerifier, VerifiedToken } from './ports/token-verifier.js';
export { Authorize, type AuthorizeInput, type AuthorizeOutcome } from './use-cases/authorize.js';
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
  NotifyConnection,
  type NotifyConnectionInput,
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
