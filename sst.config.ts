/// <reference path="./.sst/platform/config.d.ts" />

export default $config({
  app(input) {
    return {
      name: 'pushline',
      home: 'aws',
      removal: input.stage === 'production' ? 'retain' : 'remove',
      protect: input.stage === 'production',
    };
  },
  async run() {
    const { ENV, envFor } = await import('./apps/lambda/src/composition/config.js');
    const { DIRECT_PUSH_LIMIT, LAMBDA_RUNTIME, QUEUE_BATCH_SIZE, QUEUE_SETTINGS, RUNTIME_PROVIDED } =
      await import('./apps/lambda/src/deployment.js');
    const { CONNECTIONS_TABLE, EXPORTS_TABLE, NOTIFICATIONS_TABLE } =
      await import('./adapters/src/dynamodb/index.js');
    type Entry = Parameters<typeof envFor>[0];
    type Permission = { actions: string[]; resources: $util.Input<string>[] };

    const production = $app.stage === 'production';
    const deployEnv = (name: string): string | undefined => {
      const value = process.env[name]?.trim();
      return value === undefined || value === '' ? undefined : value;
    };
    const mode = production ? 'production' : 'dev';
    const authMode = deployEnv(ENV.authMode) ?? (production ? 'connect' : 'either');
    const jwksUrl = deployEnv(ENV.jwksUrl);
    const tokenIssuer = deployEnv(ENV.tokenIssuer);
    const tokenAudience = deployEnv(ENV.tokenAudience);
    const tokenSecret = mode === 'dev' || jwksUrl === undefined ? new sst.Secret('TokenSecret') : undefined;

    const connections = new sst.aws.Dynamo('Connections', {
      fields: { ...CONNECTIONS_TABLE.fields },
      primaryIndex: { hashKey: CONNECTIONS_TABLE.partitionKey },
      globalIndexes: {
        [CONNECTIONS_TABLE.byUserIndex.name]: {
          hashKey: CONNECTIONS_TABLE.byUserIndex.partitionKey,
          rangeKey: CONNECTIONS_TABLE.byUserIndex.sortKey,
          projection: 'all',
        },
      },
      ttl: CONNECTIONS_TABLE.ttlAttribute,
    });
    const exportsTable = new sst.aws.Dynamo('Exports', {
      fields: { ...EXPORTS_TABLE.fields },
      primaryIndex: { hashKey: EXPORTS_TABLE.partitionKey },
      ttl: EXPORTS_TABLE.ttlAttribute,
    });

    // The users' notification streams (resume): a meta item and one item per notification, with TTL.
    const notifications = new sst.aws.Dynamo('Notifications', {
      fields: { ...NOTIFICATIONS_TABLE.fields },
      primaryIndex: { hashKey: NOTIFICATIONS_TABLE.partitionKey, rangeKey: NOTIFICATIONS_TABLE.sortKey },
      ttl: NOTIFICATIONS_TABLE.ttlAttribute,
    });

    const queueWithDlq = (name: string): sst.aws.Queue => {
      const dlq = new sst.aws.Queue(`${name}Dlq`);
      return new sst.aws.Queue(name, {
        dlq: { queue: dlq.arn, retry: QUEUE_SETTINGS.maxReceiveCount },
        visibilityTimeout: `${QUEUE_SETTINGS.visibilityTimeoutSeconds} seconds`,
      });
    };
    const notifyUser = queueWithDlq('NotifyUser');
    const notifyConnection = queueWithDlq('NotifyConnection');
    const deadlines = queueWithDlq('Deadlines');

    const ws = new sst.aws.ApiGatewayWebSocket('Ws');
    const manageConnections = {
      actions: ['execute-api:ManageConnections'],
      resources: [$interpolate`${ws.nodes.api.executionArn}/*/*/@connections/*`],
    };
    const connectionsTable = (...actions: string[]): Permission => ({
      actions: actions.map((action) => `dynamodb:${action}`),
      resources: [connections.arn],
    });

    const values: Partial<Record<string, $util.Input<string>>> = {
      [ENV.mode]: mode,
      [ENV.authMode]: authMode,
      [ENV.connectionsTable]: connections.name,
      [ENV.exportsTable]: exportsTable.name,
      [ENV.notifyUserQueueUrl]: notifyUser.url,
      [ENV.notifyConnectionQueueUrl]: notifyConnection.url,
      [ENV.deadlinesQueueUrl]: deadlines.url,
      [ENV.managementEndpoint]: ws.managementEndpoint,
      [ENV.tokenSecret]: tokenSecret?.value,
      [ENV.jwksUrl]: jwksUrl,
      [ENV.tokenIssuer]: tokenIssuer,
      [ENV.tokenAudience]: tokenAudience,
      [ENV.authorizeDeadlineSeconds]: deployEnv(ENV.authorizeDeadlineSeconds) ?? '30',
      [ENV.directPushLimit]: deployEnv(ENV.directPushLimit) ?? String(DIRECT_PUSH_LIMIT),
      [ENV.notificationsTable]: notifications.name,
      [ENV.streamRetentionHours]: deployEnv(ENV.streamRetentionHours),
      [ENV.connectGraceSeconds]: deployEnv(ENV.connectGraceSeconds),
    };
    const notificationsTable = (...actions: string[]): Permission => ({
      actions: actions.map((action) => `dynamodb:${action}`),
      resources: [notifications.arn],
    });
    const permissions: Record<Entry, Permission[]> = {
      authorizer: [],
      connect: [connectionsTable('PutItem'), { actions: ['sqs:SendMessage'], resources: [deadlines.arn] }],
      disconnect: [connectionsTable('DeleteItem')],
      default: [connectionsTable('GetItem', 'UpdateItem')],
      ping: [],
      authorize: [connectionsTable('GetItem', 'UpdateItem')],
      'notify-user': [
        {
          actions: ['dynamodb:Query'],
          resources: [$interpolate`${connections.arn}/index/${CONNECTIONS_TABLE.byUserIndex.name}`],
        },
        { actions: ['sqs:SendMessage'], resources: [notifyConnection.arn] },
        // Direct pushes to a user's few sockets, and removing the record of a gone one (a
        // conditional delete; GetItem tells a young record from a missing one).
        connectionsTable('DeleteItem', 'GetItem'),
        manageConnections,
        // The append to the user's stream, before anything is pushed.
        notificationsTable('GetItem', 'PutItem'),
      ],
      'notify-connection': [connectionsTable('DeleteItem', 'GetItem'), manageConnections],
      resume: [connectionsTable('GetItem'), notificationsTable('GetItem', 'Query')],
      deadline: [connectionsTable('GetItem', 'DeleteItem'), manageConnections],
      token: [],
      'create-export': [
        { actions: ['dynamodb:PutItem'], resources: [exportsTable.arn] },
        { actions: ['sqs:SendMessage'], resources: [notifyUser.arn] },
      ],
      'get-export': [{ actions: ['dynamodb:GetItem'], resources: [exportsTable.arn] }],
    };

    const lambda = (entry: Entry, timeout: '10 seconds' | '20 seconds' = '10 seconds') => {
      const { required, optional } = envFor(entry);
      const environment: Record<string, $util.Input<string>> = {};
      for (const name of [...required, ...optional]) {
        const value = values[name];
        if (value !== undefined) environment[name] = value;
      }
      return {
        handler: `apps/lambda/src/handlers/${entry}.handler`,
        runtime: LAMBDA_RUNTIME,
        architecture: 'arm64' as const,
        memory: '512 MB' as const,
        timeout,
        nodejs: { format: 'esm' as const, minify: true, esbuild: { external: [...RUNTIME_PROVIDED] } },
        environment,
        permissions: permissions[entry],
      };
    };

    const twoWay = { transform: { route: { routeResponseSelectionExpression: '$default' } } };
    const routeResponse = (name: string, route: ReturnType<typeof ws.route>): void => {
      new aws.apigatewayv2.RouteResponse(`${name}RouteResponse`, {
        apiId: ws.nodes.api.id,
        routeId: route.nodes.route.id,
        routeResponseKey: '$default',
      });
    };
    if (authMode === 'connect') {
      const authorizer = ws.addAuthorizer('TokenAuthorizer', {
        lambda: { function: lambda('authorizer'), identitySources: ['route.request.querystring.token'] },
      });
      ws.route('$connect', lambda('connect'), { auth: { lambda: authorizer.id } });
    } else {
      ws.route('$connect', lambda('connect'));
    }
    ws.route('$disconnect', lambda('disconnect'));
    routeResponse('Default', ws.route('$default', lambda('default'), twoWay));
    routeResponse('Ping', ws.route('ping', lambda('ping'), twoWay));
    routeResponse('Authorize', ws.route('authorize', lambda('authorize'), twoWay));
    routeResponse('Resume', ws.route('resume', lambda('resume'), twoWay));

    const batch = { batch: { size: QUEUE_BATCH_SIZE, partialResponses: true } };
    notifyUser.subscribe(lambda('notify-user', '20 seconds'), batch);
    notifyConnection.subscribe(lambda('notify-connection', '20 seconds'), batch);
    deadlines.subscribe(lambda('deadline', '20 seconds'), batch);

    const http = new sst.aws.ApiGatewayV2('Http');
    if (mode === 'dev') http.route('POST /token', lambda('token'));
    http.route('POST /exports', lambda('create-export'));
    http.route('GET /exports/{id}', lambda('get-export'));

    return {
      websocketUrl: ws.url,
      restUrl: http.url,
      managementEndpoint: ws.managementEndpoint,
      notifyUserQueueUrl: notifyUser.url,
      authMode,
    };
  },
});
