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
    const { ConfigError, ENV, grantsOf, loadConfig } =
      await import('./apps/lambda/src/composition/config.js');
    const {
      DIRECT_PUSH_LIMIT,
      DLQ_RETENTION_SECONDS,
      LAMBDA_RUNTIME,
      QUEUE_SETTINGS,
      RUNTIME_PROVIDED,
      WS_THROTTLE,
    } = await import('./apps/lambda/src/deployment.js');
    const {
      CONNECT_AUTHORIZER,
      FUNCTIONS,
      HTTP_ROUTES,
      httpRouteKey,
      QUEUE_CONSUMER,
      QUEUES,
      TABLES,
      WEB_SOCKET_ROUTES,
    } = await import('./apps/lambda/src/topology.js');
    const { CONNECTIONS_TABLE, EXPORTS_TABLE, NOTIFICATIONS_TABLE } =
      await import('./adapters/src/dynamodb/index.js');
    type Entry = (typeof FUNCTIONS)[number]['entry'];
    type QueueName = (typeof QUEUES)[number]['name'];
    type TableName = (typeof TABLES)[number]['name'];
    type GrantResource = ReturnType<typeof grantsOf>[number]['resource'];

    const deployEnv = (name: string): string | undefined => {
      const value = process.env[name]?.trim();
      return value === undefined || value === '' ? undefined : value;
    };

    // ---- Mode: dev only when asked for -------------------------------------------------
    // Dev mode serves POST /token (anyone may mint a token for any user), so it is never
    // chosen by a stage's name alone: PUSHLINE_MODE=dev at deploy, or a stage listed in
    // PUSHLINE_DEV_STAGES (comma-separated). Every other stage, `prod` and `staging`
    // included, deploys as production.
    const devStages = (deployEnv('PUSHLINE_DEV_STAGES') ?? '').split(',').map((name) => name.trim());
    const mode = deployEnv(ENV.mode) ?? (devStages.includes($app.stage) ? 'dev' : 'production');
    const dev = mode === 'dev';
    const authMode = deployEnv(ENV.authMode) ?? (dev ? 'either' : 'connect');
    const jwksUrl = deployEnv(ENV.jwksUrl);
    const tokenIssuer = deployEnv(ENV.tokenIssuer);
    const tokenAudience = deployEnv(ENV.tokenAudience);
    // With a JWKS, tokens come from the identity provider: no secret, and no POST /token
    // (it signs HS256 tokens, which verifiers with a JWKS refuse).
    const needsSecret = jwksUrl === undefined;
    const servesTokens = dev && needsSecret;
    // The functions this stage runs: the dev-only routes' only in dev mode, the authorizer's only
    // in auth mode connect.
    const devOnly = new Set(HTTP_ROUTES.filter((route) => route.devOnly).map((route) => route.entry));
    const deploys = (entry: Entry): boolean =>
      (servesTokens || !devOnly.has(entry)) && (entry !== CONNECT_AUTHORIZER.entry || authMode === 'connect');
    const logLevel = deployEnv('PUSHLINE_LOG_LEVEL') ?? (dev ? 'DEBUG' : 'INFO');

    // ---- Validation: every function's environment, through the functions' own loader ------
    // A bad value fails the deploy here, with one message naming each, instead of deploying
    // and failing at every cold start. Resources this deploy creates (tables, queues, the
    // management endpoint) stand in with their real shapes; everything from this shell is
    // checked as the functions will read it.
    const problems = new Set<string>();
    const secretValue = process.env.SST_SECRET_TokenSecret;
    if (needsSecret && (secretValue === undefined || secretValue === '')) {
      problems.add(
        `the secret TokenSecret is not set for stage '${$app.stage}': run \`npx sst secret set TokenSecret "$(openssl rand -hex 32)" --stage ${$app.stage}\` (or set ${ENV.jwksUrl}, ${ENV.tokenIssuer} and ${ENV.tokenAudience} to verify your identity provider's tokens)`,
      );
    }
    const integer = (name: string, fallback: number, min: number, max: number): number => {
      const text = deployEnv(name);
      if (text === undefined) return fallback;
      const value = Number(text);
      if (Number.isInteger(value) && value >= min && value <= max) return value;
      problems.add(`${name} must be an integer from ${min} to ${max}, got '${text}'`);
      return fallback;
    };
    const planned: Partial<Record<string, string>> = {
      [ENV.mode]: mode,
      [ENV.authMode]: authMode,
      ...Object.fromEntries(TABLES.map((table) => [table.nameVariable, table.name])),
      [ENV.streamRetentionHours]: deployEnv(ENV.streamRetentionHours),
      [ENV.connectGraceSeconds]: deployEnv(ENV.connectGraceSeconds),
      ...Object.fromEntries(
        QUEUES.map((queue) => [
          queue.urlVariable,
          `https://sqs.us-east-1.amazonaws.com/000000000000/${queue.name}`,
        ]),
      ),
      [ENV.managementEndpoint]: 'https://api.execute-api.us-east-1.amazonaws.com/$default',
      [ENV.tokenSecret]: needsSecret ? secretValue || 'x'.repeat(64) : undefined,
      [ENV.jwksUrl]: jwksUrl,
      [ENV.tokenIssuer]: tokenIssuer,
      [ENV.tokenAudience]: tokenAudience,
      [ENV.tokenMaxLifetimeSeconds]: deployEnv(ENV.tokenMaxLifetimeSeconds),
      [ENV.authorizeDeadlineSeconds]: deployEnv(ENV.authorizeDeadlineSeconds) ?? '30',
      [ENV.directPushLimit]: deployEnv(ENV.directPushLimit) ?? String(DIRECT_PUSH_LIMIT),
      [ENV.logLevel]: logLevel,
    };
    for (const { entry, environment } of FUNCTIONS) {
      if (!deploys(entry)) continue;
      const { required, optional } = environment;
      const env = Object.fromEntries([...required, ...optional].map((name) => [name, planned[name]]));
      try {
        loadConfig(entry, env);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        for (const problem of error.problems) problems.add(problem);
      }
    }
    const maxConcurrency = Object.fromEntries(
      QUEUES.map((queue) => [
        queue.name,
        integer(queue.maxConcurrencyVariable, queue.maxConcurrency, 2, 1000),
      ]),
    ) as Record<QueueName, number>;
    const throttle = {
      rate: integer('PUSHLINE_WS_THROTTLE_RATE', WS_THROTTLE.rate, 1, 10_000),
      burst: integer('PUSHLINE_WS_THROTTLE_BURST', WS_THROTTLE.burst, 1, 5_000),
    };
    const alarmTopicArn = deployEnv('PUSHLINE_ALARM_TOPIC_ARN');
    if (alarmTopicArn !== undefined && !alarmTopicArn.startsWith('arn:aws:sns:')) {
      problems.add(
        `PUSHLINE_ALARM_TOPIC_ARN must be an SNS topic ARN (arn:aws:sns:…), got '${alarmTopicArn}'`,
      );
    }
    if (problems.size > 0) {
      throw new Error(
        `sst.config.ts: stage '${$app.stage}' (${mode} mode) cannot be deployed:\n  - ${[...problems].join('\n  - ')}`,
      );
    }
    const tokenSecret = needsSecret ? new sst.Secret('TokenSecret') : undefined;

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

    // ---- Limits: dead-letter queues and their alarms -----------------------------------
    // A dead-letter queue keeps a message 14 days (SQS's maximum; its default is 4, counted
    // from the original send, so a message that took a day of retries had 3 left). An alarm
    // on each one's depth says when anything lands there (to PUSHLINE_ALARM_TOPIC_ARN, if set).
    const queueWithDlq = (name: string): sst.aws.Queue => {
      const dlq = new sst.aws.Queue(`${name}Dlq`, {
        transform: { queue: { messageRetentionSeconds: DLQ_RETENTION_SECONDS } },
      });
      new aws.cloudwatch.MetricAlarm(`${name}DlqAlarm`, {
        alarmDescription: `Messages in the ${name} dead-letter queue: see docs/operations.md (dead letters)`,
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: dlq.nodes.queue.name },
        statistic: 'Maximum',
        period: 300,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
        ...(alarmTopicArn === undefined ? {} : { alarmActions: [alarmTopicArn], okActions: [alarmTopicArn] }),
      });
      return new sst.aws.Queue(name, {
        dlq: { queue: dlq.arn, retry: QUEUE_SETTINGS.maxReceiveCount },
        visibilityTimeout: `${QUEUE_SETTINGS.visibilityTimeoutSeconds} seconds`,
      });
    };
    const queues = Object.fromEntries(QUEUES.map(({ name }) => [name, queueWithDlq(name)])) as Record<
      QueueName,
      sst.aws.Queue
    >;
    const { NotifyUser: notifyUser } = queues;
    const tables: Record<TableName, sst.aws.Dynamo> = {
      Connections: connections,
      Exports: exportsTable,
      Notifications: notifications,
    };

    // ---- Limits: WebSocket stage throttling ------------------------------------------
    // Every route's messages share this rate and burst, below the account's regional API
    // Gateway quota, so one flood cannot take the quota from the region's other APIs.
    const ws = new sst.aws.ApiGatewayWebSocket('Ws', {
      transform: {
        stage: {
          defaultRouteSettings: { throttlingRateLimit: throttle.rate, throttlingBurstLimit: throttle.burst },
        },
      },
    });
    const values: Partial<Record<string, $util.Input<string>>> = {
      [ENV.mode]: mode,
      [ENV.authMode]: authMode,
      ...Object.fromEntries(TABLES.map((table) => [table.nameVariable, tables[table.name].name])),
      ...Object.fromEntries(QUEUES.map((queue) => [queue.urlVariable, queues[queue.name].url])),
      [ENV.managementEndpoint]: ws.managementEndpoint,
      [ENV.tokenSecret]: tokenSecret?.value,
      [ENV.jwksUrl]: jwksUrl,
      [ENV.tokenIssuer]: tokenIssuer,
      [ENV.tokenAudience]: tokenAudience,
      [ENV.authorizeDeadlineSeconds]: deployEnv(ENV.authorizeDeadlineSeconds) ?? '30',
      [ENV.directPushLimit]: deployEnv(ENV.directPushLimit) ?? String(DIRECT_PUSH_LIMIT),
      [ENV.tokenMaxLifetimeSeconds]: deployEnv(ENV.tokenMaxLifetimeSeconds),
      [ENV.logLevel]: logLevel,
      [ENV.streamRetentionHours]: deployEnv(ENV.streamRetentionHours),
      [ENV.connectGraceSeconds]: deployEnv(ENV.connectGraceSeconds),
    };

    // ---- Least privilege: each entry's grants (ENTRIES), on what this deploy creates --------
    const grantArns: Record<GrantResource, $util.Input<string>> = {
      Connections: connections.arn,
      ConnectionsByUser: $interpolate`${connections.arn}/index/${CONNECTIONS_TABLE.byUserIndex.name}`,
      Exports: exportsTable.arn,
      Notifications: notifications.arn,
      NotifyUser: queues.NotifyUser.arn,
      NotifyConnection: queues.NotifyConnection.arn,
      Deadlines: queues.Deadlines.arn,
      '@connections': $interpolate`${ws.nodes.api.executionArn}/*/*/@connections/*`,
    };
    const permissions = (entry: Entry) =>
      grantsOf(entry).map(({ resource, actions }) => ({
        actions: [...actions],
        resources: [grantArns[resource]],
      }));

    const functions = new Map(FUNCTIONS.map((fn) => [fn.entry, fn]));
    const lambda = (entry: Entry) => {
      const fn = functions.get(entry);
      if (fn === undefined) throw new Error(`sst.config.ts: no function runs ${entry}`);
      const { required, optional } = fn.environment;
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
        timeout: `${fn.timeoutSeconds} seconds` as const,
        nodejs: { format: 'esm' as const, minify: true, esbuild: { external: [...RUNTIME_PROVIDED] } },
        environment,
        permissions: permissions(entry),
      };
    };

    const twoWay = { transform: { route: { routeResponseSelectionExpression: '$default' } } };
    // A two-way route's RouteResponse is named after its key: `$default` → DefaultRouteResponse.
    const routeResponse = (key: string, route: ReturnType<typeof ws.route>): void => {
      const name = key
        .replace(/^\$/, '')
        .split('-')
        .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
        .join('');
      new aws.apigatewayv2.RouteResponse(`${name}RouteResponse`, {
        apiId: ws.nodes.api.id,
        routeId: route.nodes.route.id,
        routeResponseKey: '$default',
      });
    };
    const authorizer =
      authMode === 'connect'
        ? ws.addAuthorizer(CONNECT_AUTHORIZER.name, {
            lambda: {
              function: lambda(CONNECT_AUTHORIZER.entry),
              identitySources: [...CONNECT_AUTHORIZER.identitySources],
            },
          })
        : undefined;
    for (const { key, entry, twoWay: replies } of WEB_SOCKET_ROUTES) {
      const auth =
        key === '$connect' && authorizer !== undefined ? { auth: { lambda: authorizer.id } } : undefined;
      const route = ws.route(key, lambda(entry), replies ? twoWay : auth);
      if (replies) routeResponse(key, route);
    }

    // ---- Limits: queue consumers' concurrency -------------------------------------------
    // maximumConcurrency caps each event source, so a large fan-out or a redrive cannot use
    // the account's concurrency the WebSocket route functions need (PUSHLINE_MAX_CONCURRENCY_*).
    for (const queue of QUEUES) {
      queues[queue.name].subscribe(lambda(queue.consumer), {
        batch: { size: QUEUE_CONSUMER.batchSize, partialResponses: QUEUE_CONSUMER.partialResponses },
        transform: {
          eventSourceMapping: { scalingConfig: { maximumConcurrency: maxConcurrency[queue.name] } },
        },
      });
    }

    const http = new sst.aws.ApiGatewayV2('Http');
    for (const route of HTTP_ROUTES) {
      if (servesTokens || !route.devOnly) http.route(httpRouteKey(route), lambda(route.entry));
    }

    // ---- Dashboard (docs/operations.md): the delivery metrics the functions emit, and the
    // depth of every dead-letter queue. Self-contained: it reads the dead-letter queues from
    // the queues' redrive policies, so the queues above stay as they are.
    {
      const { DELIVERY_METRICS, ENQUEUE_TO_PUSH_METRIC, METRICS_NAMESPACE } =
        await import('./core/src/domain/delivery-metrics.js');
      const region = aws.getRegionOutput().region;
      const count = (names: string[]) =>
        names.map((name) => [METRICS_NAMESPACE, name, 'service', 'pushline', { stat: 'Sum', period: 60 }]);
      const deadLetterQueueName = (queue: sst.aws.Queue) =>
        queue.nodes.queue.redrivePolicy.apply((policy) => {
          const target = JSON.parse(policy ?? '{}') as { deadLetterTargetArn?: string };
          return target.deadLetterTargetArn?.split(':').pop() ?? '';
        });
      const deadLetterQueues = QUEUES.map((queue) => deadLetterQueueName(queues[queue.name]));
      const widget = (title: string, metrics: $util.Input<unknown[]>[], x: number, y: number) => ({
        type: 'metric',
        x,
        y,
        width: 12,
        height: 6,
        properties: { title, region, view: 'timeSeries', stacked: false, metrics },
      });
      new aws.cloudwatch.Dashboard('Dashboard', {
        dashboardName: `pushline-${$app.stage}`,
        dashboardBody: $jsonStringify({
          widgets: [
            widget(
              'Notifications',
              count([DELIVERY_METRICS.ACCEPTED, DELIVERY_METRICS.PUSHED, DELIVERY_METRICS.CONNECTION_GONE]),
              0,
              0,
            ),
            widget(
              'Refused, retried and dead-lettered',
              count([
                DELIVERY_METRICS.TRANSIENT_FAILURE,
                DELIVERY_METRICS.PAYLOAD_TOO_LARGE,
                DELIVERY_METRICS.DEAD_LETTERED,
              ]),
              12,
              0,
            ),
            widget(
              'Enqueue to push (ms)',
              ['p50', 'p99'].map((stat) => [
                METRICS_NAMESPACE,
                ENQUEUE_TO_PUSH_METRIC,
                'service',
                'pushline',
                { stat, period: 60 },
              ]),
              0,
              6,
            ),
            widget(
              'Resumes',
              count([DELIVERY_METRICS.RESUME_RECOVERED, DELIVERY_METRICS.RESUME_NOT_RECOVERED]),
              12,
              6,
            ),
            widget(
              'Dead-letter queue depth',
              deadLetterQueues.map((name) => [
                'AWS/SQS',
                'ApproximateNumberOfMessagesVisible',
                'QueueName',
                name,
                { stat: 'Maximum', period: 60 },
              ]),
              0,
              12,
            ),
          ],
        }),
      });
    }

    return {
      websocketUrl: ws.url,
      restUrl: http.url,
      managementEndpoint: ws.managementEndpoint,
      notifyUserQueueUrl: notifyUser.url,
      mode,
      authMode,
    };
  },
});
