import { Logger } from '@aws-lambda-powertools/logger';
import { ApiGatewayConnectionPusher } from '@pushline/adapters/apigateway';
import {
  DynamoDbConnectionRepository,
  DynamoDbExportRepository,
  DynamoDbNotificationStream,
} from '@pushline/adapters/dynamodb';
import { JoseTokenIssuer, JoseTokenVerifier } from '@pushline/adapters/jose';
import { SqsDeadlineScheduler, SqsMessageQueue } from '@pushline/adapters/sqs';
import { SystemClock } from '@pushline/adapters/system';
import {
  Authorize,
  type Clock,
  Connect,
  type ConnectionPusher,
  type ConnectionRepository,
  type DeadlineScheduler,
  defaultActions,
  Disconnect,
  DownloadExport,
  EnforceAuthorizeDeadline,
  type ExportRepository,
  type MessageQueue,
  type NotificationStream,
  NotifyConnection,
  NotifyUser,
  PingAction,
  ResumeAction,
  Route,
  StartExport,
  type TokenVerifier,
} from '@pushline/core';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Container } from 'inversify';
import { type AppConfig, ENV, type EnvName } from './config.js';
import { TOKENS } from './tokens.js';

function required(value: string | null, name: EnvName): string {
  if (value === null) throw new Error(`${name} is not configured for this function`);
  return value;
}

/**
 * Builds the container of one Lambda function: every binding is a singleton built on first
 * `get` from explicit tokens (no decorator metadata), so a function pays only for what it
 * resolves. `override` rebinds tokens for tests.
 */
export function createContainer(config: AppConfig, override?: (container: Container) => void): Container {
  const c = new Container({ defaultScope: 'Singleton' });
  const claims = {
    ...(config.tokenIssuer === null ? {} : { issuer: config.tokenIssuer }),
    ...(config.tokenAudience === null ? {} : { audience: config.tokenAudience }),
  };

  c.bind<AppConfig>(TOKENS.Config).toConstantValue(config);
  c.bind<Logger>(TOKENS.Logger).toResolvedValue(
    () => new Logger({ serviceName: 'pushline', persistentKeys: { entry: config.entry } }),
  );
  c.bind<Clock>(TOKENS.Clock).toResolvedValue(() => new SystemClock());
  c.bind<DynamoDBClient>(TOKENS.DynamoDbClient).toResolvedValue(
    () => new DynamoDBClient(config.dynamoDbEndpoint === null ? {} : { endpoint: config.dynamoDbEndpoint }),
  );
  c.bind<SQSClient>(TOKENS.SqsClient).toResolvedValue(
    () => new SQSClient(config.sqsEndpoint === null ? {} : { endpoint: config.sqsEndpoint }),
  );

  c.bind<ConnectionRepository>(TOKENS.ConnectionRepository).toResolvedValue(
    (client: DynamoDBClient) =>
      new DynamoDbConnectionRepository({
        client,
        tableName: required(config.connectionsTable, ENV.connectionsTable),
      }),
    [TOKENS.DynamoDbClient],
  );
  c.bind<ExportRepository>(TOKENS.ExportRepository).toResolvedValue(
    (client: DynamoDBClient) =>
      new DynamoDbExportRepository({ client, tableName: required(config.exportsTable, ENV.exportsTable) }),
    [TOKENS.DynamoDbClient],
  );
  c.bind<MessageQueue>(TOKENS.MessageQueue).toResolvedValue(
    (client: SQSClient) =>
      new SqsMessageQueue({
        client,
        notifyUserQueueUrl: required(config.notifyUserQueueUrl, ENV.notifyUserQueueUrl),
        notifyConnectionQueueUrl: required(config.notifyConnectionQueueUrl, ENV.notifyConnectionQueueUrl),
      }),
    [TOKENS.SqsClient],
  );
  c.bind<DeadlineScheduler>(TOKENS.DeadlineScheduler).toResolvedValue(
    (client: SQSClient, clock: Clock) =>
      new SqsDeadlineScheduler({
        client,
        clock,
        queueUrl: required(config.deadlinesQueueUrl, ENV.deadlinesQueueUrl),
      }),
    [TOKENS.SqsClient, TOKENS.Clock],
  );
  c.bind<ConnectionPusher>(TOKENS.ConnectionPusher).toResolvedValue(
    () =>
      new ApiGatewayConnectionPusher({
        endpoint: required(config.managementEndpoint, ENV.managementEndpoint),
      }),
  );
  c.bind<TokenVerifier>(TOKENS.TokenVerifier).toResolvedValue(() => {
    const keys = config.tokenKeys;
    if (keys === null) throw new Error(`${ENV.jwksUrl} or ${ENV.tokenSecret} is not configured`);
    return new JoseTokenVerifier(
      keys.kind === 'jwks' ? { jwksUrl: keys.jwksUrl, ...claims } : { secret: keys.secret, ...claims },
    );
  });
  c.bind<JoseTokenIssuer>(TOKENS.TokenIssuer).toResolvedValue(() => {
    const keys = config.tokenKeys;
    if (keys?.kind !== 'secret') throw new Error(`${ENV.tokenSecret} is not configured`);
    return new JoseTokenIssuer({ secret: keys.secret, ...claims });
  });

  c.bind<Connect>(TOKENS.Connect).toResolvedValue(
    (repository: ConnectionRepository, verifier: TokenVerifier, clock: Clock, deadlines: DeadlineScheduler) =>
      new Connect(
        repository,
        verifier,
        clock,
        { allowAnonymous: config.authMode === 'either', authorizeDeadlineMs: config.authorizeDeadlineMs },
        deadlines,
      ),
    [TOKENS.ConnectionRepository, TOKENS.TokenVerifier, TOKENS.Clock, TOKENS.DeadlineScheduler],
  );
  c.bind<Disconnect>(TOKENS.Disconnect).toResolvedValue(
    (repository: ConnectionRepository) => new Disconnect(repository),
    [TOKENS.ConnectionRepository],
  );
  c.bind<Authorize>(TOKENS.Authorize).toResolvedValue(
    (repository: ConnectionRepository, verifier: TokenVerifier) => new Authorize(repository, verifier),
    [TOKENS.ConnectionRepository, TOKENS.TokenVerifier],
  );
  c.bind<Route>(TOKENS.Route).toResolvedValue(
    (repository: ConnectionRepository, authorize: Authorize) =>
      new Route(repository, defaultActions(authorize)),
    [TOKENS.ConnectionRepository, TOKENS.Authorize],
  );
  c.bind<Route>(TOKENS.PingRoute).toResolvedValue(
    (repository: ConnectionRepository) => new Route(repository, [new PingAction()]),
    [TOKENS.ConnectionRepository],
  );
  c.bind<NotificationStream>(TOKENS.NotificationStream).toResolvedValue(
    (client: DynamoDBClient, clock: Clock) =>
      new DynamoDbNotificationStream({
        client,
        clock,
        tableName: required(config.notificationsTable, ENV.notificationsTable),
        retentionMs: config.streamRetentionMs,
      }),
    [TOKENS.DynamoDbClient, TOKENS.Clock],
  );
  c.bind<Route>(TOKENS.ResumeRoute).toResolvedValue(
    (repository: ConnectionRepository, stream: NotificationStream) =>
      new Route(repository, [new ResumeAction(stream)]),
    [TOKENS.ConnectionRepository, TOKENS.NotificationStream],
  );
  if (config.directPushLimit > 0) {
    c.bind<NotifyUser>(TOKENS.NotifyUser).toResolvedValue(
      (
        repository: ConnectionRepository,
        queue: MessageQueue,
        clock: Clock,
        stream: NotificationStream,
        delivery: NotifyConnection,
      ) =>
        new NotifyUser(repository, queue, clock, stream, {
          directPush: { delivery, maxConnections: config.directPushLimit },
        }),
      [
        TOKENS.ConnectionRepository,
        TOKENS.MessageQueue,
        TOKENS.Clock,
        TOKENS.NotificationStream,
        TOKENS.NotifyConnection,
      ],
    );
  } else {
    c.bind<NotifyUser>(TOKENS.NotifyUser).toResolvedValue(
      (repository: ConnectionRepository, queue: MessageQueue, clock: Clock, stream: NotificationStream) =>
        new NotifyUser(repository, queue, clock, stream),
      [TOKENS.ConnectionRepository, TOKENS.MessageQueue, TOKENS.Clock, TOKENS.NotificationStream],
    );
  }
  c.bind<NotifyConnection>(TOKENS.NotifyConnection).toResolvedValue(
    (pusher: ConnectionPusher, repository: ConnectionRepository, clock: Clock) =>
      new NotifyConnection(pusher, repository, clock, { connectGraceMs: config.connectGraceMs }),
    [TOKENS.ConnectionPusher, TOKENS.ConnectionRepository, TOKENS.Clock],
  );
  c.bind<EnforceAuthorizeDeadline>(TOKENS.EnforceAuthorizeDeadline).toResolvedValue(
    (repository: ConnectionRepository, pusher: ConnectionPusher) =>
      new EnforceAuthorizeDeadline(repository, pusher),
    [TOKENS.ConnectionRepository, TOKENS.ConnectionPusher],
  );
  c.bind<StartExport>(TOKENS.StartExport).toResolvedValue(
    (exports: ExportRepository, queue: MessageQueue, clock: Clock) => new StartExport(exports, queue, clock),
    [TOKENS.ExportRepository, TOKENS.MessageQueue, TOKENS.Clock],
  );
  c.bind<DownloadExport>(TOKENS.DownloadExport).toResolvedValue(
    (exports: ExportRepository, clock: Clock) => new DownloadExport(exports, clock),
    [TOKENS.ExportRepository, TOKENS.Clock],
  );

  override?.(c);
  return c;
}
