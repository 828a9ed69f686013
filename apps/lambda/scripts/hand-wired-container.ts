// The benchmark's baseline: the same bindings as apps/lambda's container, wired by hand (lazy
// singletons, plain `new`), bundled in place of container.ts to measure what inversify costs.
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
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
  Connect,
  defaultActions,
  Disconnect,
  DownloadExport,
  EnforceAuthorizeDeadline,
  NotifyConnection,
  NotifyUser,
  PingAction,
  ResumeAction,
  Route,
  StartExport,
} from '@pushline/core';
import type { AppConfig } from '../src/composition/config.js';
import { TOKENS } from '../src/composition/tokens.js';

function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

function required(value: string | null): string {
  if (value === null) throw new Error('not configured for this function');
  return value;
}

/** The part of inversify's `Container` the handlers use. */
export interface HandWiredContainer {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- Container.get's signature, as the handlers call it
  get<T>(token: symbol): T;
}

export function createContainer(config: AppConfig): HandWiredContainer {
  const claims = {
    ...(config.tokenIssuer === null ? {} : { issuer: config.tokenIssuer }),
    ...(config.tokenAudience === null ? {} : { audience: config.tokenAudience }),
  };
  const logger = once(() => new Logger({ serviceName: 'pushline', persistentKeys: { entry: config.entry } }));
  const clock = once(() => new SystemClock());
  const dynamo = once(
    () => new DynamoDBClient(config.dynamoDbEndpoint === null ? {} : { endpoint: config.dynamoDbEndpoint }),
  );
  const sqs = once(() => new SQSClient(config.sqsEndpoint === null ? {} : { endpoint: config.sqsEndpoint }));
  const repository = once(
    () =>
      new DynamoDbConnectionRepository({ client: dynamo(), tableName: required(config.connectionsTable) }),
  );
  const stream = once(
    () =>
      new DynamoDbNotificationStream({
        client: dynamo(),
        clock: clock(),
        tableName: required(config.notificationsTable),
        retentionMs: config.streamRetentionMs,
      }),
  );
  const exports = once(
    () => new DynamoDbExportRepository({ client: dynamo(), tableName: required(config.exportsTable) }),
  );
  const queue = once(
    () =>
      new SqsMessageQueue({
        client: sqs(),
        notifyUserQueueUrl: required(config.notifyUserQueueUrl),
        notifyConnectionQueueUrl: required(config.notifyConnectionQueueUrl),
      }),
  );
  const deadlines = once(
    () =>
      new SqsDeadlineScheduler({
        client: sqs(),
        clock: clock(),
        queueUrl: required(config.deadlinesQueueUrl),
      }),
  );
  const pusher = once(
    () => new ApiGatewayConnectionPusher({ endpoint: required(config.managementEndpoint) }),
  );
  const verifier = once(() => {
    const keys = config.tokenKeys;
    if (keys === null) throw new Error('no token keys');
    return new JoseTokenVerifier(
      keys.kind === 'jwks' ? { jwksUrl: keys.jwksUrl, ...claims } : { secret: keys.secret, ...claims },
    );
  });
  const issuer = once(() => {
    const keys = config.tokenKeys;
    if (keys?.kind !== 'secret') throw new Error('no token secret');
    return new JoseTokenIssuer({ secret: keys.secret, ...claims });
  });
  const authorize = once(() => new Authorize(repository(), verifier()));
  const factories = new Map<symbol, () => unknown>([
    [TOKENS.Config, () => config],
    [TOKENS.Logger, logger],
    [TOKENS.Clock, clock],
    [TOKENS.TokenVerifier, verifier],
    [TOKENS.TokenIssuer, issuer],
    [
      TOKENS.Connect,
      once(
        () =>
          new Connect(
            repository(),
            verifier(),
            clock(),
            { allowAnonymous: config.authMode === 'either', authorizeDeadlineMs: config.authorizeDeadlineMs },
            deadlines(),
          ),
      ),
    ],
    [TOKENS.Disconnect, once(() => new Disconnect(repository()))],
    [TOKENS.Route, once(() => new Route(repository(), defaultActions(authorize())))],
    [TOKENS.PingRoute, once(() => new Route(repository(), [new PingAction()]))],
    [TOKENS.NotifyUser, once(() => new NotifyUser(repository(), queue(), clock(), stream()))],
    [
      TOKENS.NotifyConnection,
      once(
        () =>
          new NotifyConnection(pusher(), repository(), clock(), { connectGraceMs: config.connectGraceMs }),
      ),
    ],
    [TOKENS.NotificationStream, stream],
    [TOKENS.ResumeRoute, once(() => new Route(repository(), [new ResumeAction(stream())]))],
    [TOKENS.EnforceAuthorizeDeadline, once(() => new EnforceAuthorizeDeadline(repository(), pusher()))],
    [TOKENS.StartExport, once(() => new StartExport(exports(), queue(), clock()))],
    [TOKENS.DownloadExport, once(() => new DownloadExport(exports(), clock()))],
  ]);
  return {
    get(token) {
      const make = factories.get(token);
      if (make === undefined) throw new Error(`no binding for ${String(token)}`);
      return make() as never;
    },
  };
}
