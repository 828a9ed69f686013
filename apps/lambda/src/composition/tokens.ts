/** Every binding of the Lambda container, by role. */
export const TOKENS = {
  Config: Symbol.for('pushline.lambda.Config'),
  Logger: Symbol.for('pushline.lambda.Logger'),
  Clock: Symbol.for('pushline.lambda.Clock'),
  DynamoDbClient: Symbol.for('pushline.lambda.DynamoDbClient'),
  SqsClient: Symbol.for('pushline.lambda.SqsClient'),
  ConnectionRepository: Symbol.for('pushline.lambda.ConnectionRepository'),
  ExportRepository: Symbol.for('pushline.lambda.ExportRepository'),
  MessageQueue: Symbol.for('pushline.lambda.MessageQueue'),
  DeadlineScheduler: Symbol.for('pushline.lambda.DeadlineScheduler'),
  ConnectionPusher: Symbol.for('pushline.lambda.ConnectionPusher'),
  TokenVerifier: Symbol.for('pushline.lambda.TokenVerifier'),
  TokenIssuer: Symbol.for('pushline.lambda.TokenIssuer'),
  Connect: Symbol.for('pushline.lambda.Connect'),
  Disconnect: Symbol.for('pushline.lambda.Disconnect'),
  Authorize: Symbol.for('pushline.lambda.Authorize'),
  Route: Symbol.for('pushline.lambda.Route'),
  PingRoute: Symbol.for('pushline.lambda.PingRoute'),
  NotifyUser: Symbol.for('pushline.lambda.NotifyUser'),
  NotifyConnection: Symbol.for('pushline.lambda.NotifyConnection'),
  EnforceAuthorizeDeadline: Symbol.for('pushline.lambda.EnforceAuthorizeDeadline'),
  StartExport: Symbol.for('pushline.lambda.StartExport'),
  DownloadExport: Symbol.for('pushline.lambda.DownloadExport'),
  NotificationStream: Symbol.for('pushline.lambda.NotificationStream'),
  ResumeRoute: Symbol.for('pushline.lambda.ResumeRoute'),
} as const;

export type TokenName = keyof typeof TOKENS;
