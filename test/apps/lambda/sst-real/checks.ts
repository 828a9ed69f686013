// What the deployed graph must be, as tables and checks. Each check returns its problems (an
// empty list passes), so the same check proves a good graph right and a broken one wrong
// (sst-real.test.ts runs both). A resource another change adds (a table, an alarm, a queue)
// is asserted by adding a row to the table it belongs to; a new kind of property, by a check.
import {
  CONNECTIONS_TABLE,
  connectionsTableDefinition,
  EXPORTS_TABLE,
  NOTIFICATIONS_TABLE,
  notificationsTableDefinition,
} from '@pushline/adapters/dynamodb';
import { type Entry, ENTRIES, ENV, envFor, loadConfig } from '@pushline/lambda/config';
import {
  LAMBDA_RUNTIME,
  QUEUE_BATCH_SIZE,
  QUEUE_SETTINGS,
  RUNTIME_PROVIDED,
} from '@pushline/lambda/deployment';
import {
  CONNECT_AUTHORIZER,
  HTTP_ROUTES as TOPOLOGY_HTTP_ROUTES,
  httpRouteKey,
  QUEUES as TOPOLOGY_QUEUES,
  WEB_SOCKET_ROUTES,
} from '@pushline/lambda/topology';
import {
  DELIVERY_METRICS,
  DELIVERY_OUTCOMES,
  ENQUEUE_TO_PUSH_METRIC,
  METRICS_NAMESPACE,
} from '@pushline/core';
import { type DeployedArns, leastPrivilege, leastPrivilegeProblems } from '../least-privilege.js';
import { ACCOUNT, type Graph, REGION, type RecordedResource } from './graph.js';

/** One deployment evaluated: a stage and the deployer's environment. */
export interface Variant {
  readonly label: string;
  readonly stage: string;
  readonly env: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, string>>;
}

// ---- the rules of sst.config.ts, each in one place so a change of rule is a change here ----

/**
 * Whether the deployment asks for dev mode: `PUSHLINE_MODE=dev`, or the stage listed in
 * `PUSHLINE_DEV_STAGES`. A stage's name alone never makes it dev (`staging` is production).
 */
function devModeAsked(variant: Variant): boolean {
  const mode = variant.env[ENV.mode];
  if (mode !== undefined) return mode === 'dev';
  const devStages = (variant.env.PUSHLINE_DEV_STAGES ?? '').split(',').map((name) => name.trim());
  return devStages.includes(variant.stage);
}

/** Whether `POST /token` is served: dev mode, and no JWKS (its HS256 tokens would be refused). */
function servesTokens(variant: Variant): boolean {
  return devModeAsked(variant) && variant.env[ENV.jwksUrl] === undefined;
}

/** The `$connect` auth mode: `PUSHLINE_AUTH_MODE`, else `connect` in production mode and `either` in dev mode. */
function authModeOf(variant: Variant): 'connect' | 'either' {
  const asked = variant.env[ENV.authMode];
  if (asked === 'connect' || asked === 'either') return asked;
  return devModeAsked(variant) ? 'either' : 'connect';
}

const production = (variant: Variant): boolean => variant.stage === 'production';

// ---- the tables ----

// The routes and queues are the topology's (apps/lambda/src/topology.ts), which the dev stack
// runs too: the graph must deploy exactly those.

/** Every WebSocket route and the entry it runs; two-way routes send the function's reply back. */
const WS_ROUTES = WEB_SOCKET_ROUTES;

/** Every HTTP route, the entry it runs, and whether it exists only in dev mode. */
const HTTP_ROUTES = TOPOLOGY_HTTP_ROUTES.map((route) => ({ ...route, key: httpRouteKey(route) }));

/** Every queue (SST names the SQS queue `<name>Queue`), its dead-letter queue and its one subscriber. */
const QUEUES = TOPOLOGY_QUEUES.map((queue) => ({
  name: queue.name,
  dlq: `${queue.name}Dlq`,
  subscriber: queue.consumer,
}));

/** AWS's advice for a queue a Lambda reads: a visibility timeout of at least 6 × the function's timeout. */
const VISIBILITY_FACTOR = 6;

/** Every table (SST names it `<name>Table`) as the adapters create it locally (the same definition). */
const TABLES: readonly {
  name: string;
  definition: ReturnType<typeof connectionsTableDefinition>;
  ttl: string;
}[] = [
  {
    name: 'Connections',
    definition: connectionsTableDefinition('Connections'),
    ttl: CONNECTIONS_TABLE.ttlAttribute,
  },
  {
    name: 'Exports',
    definition: {
      TableName: 'Exports',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: EXPORTS_TABLE.partitionKey, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: EXPORTS_TABLE.partitionKey, KeyType: 'HASH' }],
    },
    ttl: EXPORTS_TABLE.ttlAttribute,
  },
  {
    name: 'Notifications',
    definition: notificationsTableDefinition('Notifications'),
    ttl: NOTIFICATIONS_TABLE.ttlAttribute,
  },
];

/** The entries that push to sockets: the only ones that may call the Management API. */
const PUSHERS: readonly Entry[] = ['notify-user', 'notify-connection', 'deadline'];

/** What SST grants a queue's subscriber on its queue, besides the config's own permissions. */
const SUBSCRIBER_ACTIONS = [
  'sqs:ChangeMessageVisibility',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
  'sqs:GetQueueUrl',
  'sqs:ReceiveMessage',
];

/** Variables SST adds to every function (the link key and the app's name and stage). */
const SST_VARIABLES = ['SST_KEY', 'SST_KEY_FILE', 'SST_RESOURCE_App'];

/**
 * Every metric the dashboard shows from the apps (namespace `Pushline`, dimension
 * `service=pushline`): one per delivery outcome and the latency. Alarms and other helpers'
 * metrics are added here as rows.
 */
const DASHBOARD_METRICS: readonly string[] = [
  ...DELIVERY_OUTCOMES.map((outcome) => DELIVERY_METRICS[outcome]),
  ENQUEUE_TO_PUSH_METRIC,
];

/** Lambda refuses a function whose environment is over 4 KB. */
const ENVIRONMENT_LIMIT = 4096;

// ---- the checks ----

/** One property of the graph, checked for one variant. */
export interface Check {
  /** A short name, for the break table of sst-real.test.ts. */
  readonly id: string;
  readonly name: string;
  readonly run: (graph: Graph, variant: Variant) => string[];
}

const queueArn = (name: string): string => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}Queue`;
const tableArn = (name: string): string => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}Table`;

/** The entries a variant deploys, each exactly once. */
function expectedEntries(variant: Variant): Entry[] {
  return (Object.keys(ENTRIES) as Entry[]).filter(
    (entry) =>
      (servesTokens(variant) || !HTTP_ROUTES.some((route) => route.devOnly && route.entry === entry)) &&
      (entry !== CONNECT_AUTHORIZER.entry || authModeOf(variant) === 'connect'),
  );
}

/** The one function running an entry, or a problem. */
function functionOf(graph: Graph, entry: Entry): RecordedResource | string {
  const found = graph.functionsByEntry().get(entry) ?? [];
  return found.length === 1 ? found[0]! : `${String(found.length)} functions run ${entry}`;
}

function timeoutOf(fn: RecordedResource): number {
  return Number(fn.inputs.timeout);
}

function invokePermission(graph: Graph, fn: RecordedResource, sourceArn: string): boolean {
  return graph
    .all('aws:lambda/permission:Permission')
    .some(
      (permission) =>
        permission.inputs.function === `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${fn.name}` &&
        permission.inputs.action === 'lambda:InvokeFunction' &&
        permission.inputs.principal === 'apigateway.amazonaws.com' &&
        permission.inputs.sourceArn === sourceArn,
    );
}

export const CHECKS: readonly Check[] = [
  {
    id: 'unique',
    name: 'no two resources share a type and a name (the engine would refuse them; mocks do not)',
    run(graph) {
      const seen = new Map<string, number>();
      for (const { type, name } of graph.evaluation.resources)
        seen.set(`${type} ${name}`, (seen.get(`${type} ${name}`) ?? 0) + 1);
      return [...seen]
        .filter(([, count]) => count > 1)
        .map(([key, count]) => `${key} registered ${String(count)} times`);
    },
  },
  {
    id: 'route-selection',
    name: 'the WebSocket API selects routes by the frame’s action',
    run(graph) {
      const expression = graph.api('WEBSOCKET').inputs.routeSelectionExpression;
      return expression === '$request.body.action'
        ? []
        : [`routeSelectionExpression is ${String(expression)}`];
    },
  },
  {
    id: 'ws-routes',
    name: 'every WebSocket route reaches its own function through an AWS_PROXY integration API Gateway may invoke',
    run(graph) {
      const ws = graph.api('WEBSOCKET');
      const routes = graph.routesOf(ws);
      const problems: string[] = [];
      const keys = routes.map((route) => route.key).sort();
      const expected = WS_ROUTES.map((route) => route.key).sort();
      if (keys.join() !== expected.join()) problems.push(`routes are ${keys.join(', ')}`);
      for (const { key, entry } of WS_ROUTES) {
        const found = routes.filter((route) => route.key === key);
        const route = found[0];
        if (found.length !== 1 || route === undefined) continue;
        if (route.integration?.inputs.integrationType !== 'AWS_PROXY')
          problems.push(`${key} is not an AWS_PROXY integration`);
        if (route.fn === undefined) problems.push(`${key} reaches no function`);
        else {
          if (graph.entryOf(route.fn) !== entry)
            problems.push(`${key} runs ${graph.entryOf(route.fn)}, not ${entry}`);
          if (
            !invokePermission(graph, route.fn, `arn:aws:execute-api:${REGION}:${ACCOUNT}:${String(ws.id)}/*`)
          ) {
            problems.push(`API Gateway may not invoke the function of ${key}`);
          }
        }
      }
      const functions = routes.flatMap((route) => (route.fn === undefined ? [] : [route.fn.name]));
      if (new Set(functions).size !== functions.length) problems.push('two routes share a function');
      return problems;
    },
  },
  {
    id: 'two-way',
    name: 'two-way routes select a route response, and each has exactly one RouteResponse; no other route has one',
    run(graph) {
      const ws = graph.api('WEBSOCKET');
      const routes = graph.routesOf(ws);
      const responses = graph.all('aws:apigatewayv2/routeResponse:RouteResponse');
      const problems: string[] = [];
      for (const { key, twoWay } of WS_ROUTES) {
        const route = routes.find((candidate) => candidate.key === key);
        if (route === undefined) continue;
        const expression = route.route.inputs.routeResponseSelectionExpression;
        const own = responses.filter((response) => response.inputs.routeId === route.route.id);
        if (twoWay) {
          if (expression !== '$default')
            problems.push(`${key} has routeResponseSelectionExpression ${String(expression)}`);
          if (own.length !== 1) problems.push(`${key} has ${String(own.length)} RouteResponses`);
          for (const response of own) {
            if (response.inputs.routeResponseKey !== '$default')
              problems.push(`${key}'s RouteResponse key is not $default`);
            if (response.inputs.apiId !== ws.id) problems.push(`${key}'s RouteResponse is on another API`);
          }
        } else {
          if (expression !== undefined) problems.push(`${key} (one-way) selects a route response`);
          if (own.length !== 0) problems.push(`${key} (one-way) has a RouteResponse`);
        }
      }
      const routeIds = new Set(routes.map((route) => route.route.id));
      for (const response of responses) {
        if (!routeIds.has(String(response.inputs.routeId)))
          problems.push(`${response.name} points at no WebSocket route`);
      }
      // Proxy integrations pass the function's reply through: an IntegrationResponse is not needed.
      if (graph.all('aws:apigatewayv2/integrationResponse:IntegrationResponse').length > 0) {
        problems.push('an IntegrationResponse exists');
      }
      return problems;
    },
  },
  {
    id: 'authorizer',
    name: '$connect has the REQUEST authorizer on the token query parameter in connect mode, and no authorizer in either mode',
    run(graph, variant) {
      const ws = graph.api('WEBSOCKET');
      const routes = graph.routesOf(ws);
      const authorizers = graph.all('aws:apigatewayv2/authorizer:Authorizer');
      const problems: string[] = [];
      for (const route of routes) {
        if (route.key === '$connect') continue;
        if (route.route.inputs.authorizationType !== 'NONE') problems.push(`${route.key} is authorized`);
      }
      const connect = routes.find((route) => route.key === '$connect');
      if (connect === undefined) return [...problems, 'no $connect route'];
      if (authModeOf(variant) === 'either') {
        if (authorizers.length > 0) problems.push(`${String(authorizers.length)} authorizers in either mode`);
        if (connect.route.inputs.authorizationType !== 'NONE')
          problems.push('$connect is authorized in either mode');
        return problems;
      }
      const authorizer = authorizers[0];
      if (authorizers.length !== 1 || authorizer === undefined)
        return [...problems, `${String(authorizers.length)} authorizers`];
      if (connect.route.inputs.authorizationType !== 'CUSTOM')
        problems.push('$connect has no CUSTOM authorization');
      if (connect.route.inputs.authorizerId !== authorizer.id)
        problems.push('$connect does not use the authorizer');
      if (authorizer.inputs.apiId !== ws.id) problems.push('the authorizer is on another API');
      if (authorizer.inputs.authorizerType !== 'REQUEST')
        problems.push(`authorizer type ${String(authorizer.inputs.authorizerType)}`);
      const sources = JSON.stringify(authorizer.inputs.identitySources);
      if (sources !== JSON.stringify(CONNECT_AUTHORIZER.identitySources))
        problems.push(`identity sources ${sources}`);
      const fn = graph.functionAt(authorizer.inputs.authorizerUri);
      if (fn === undefined || graph.entryOf(fn) !== CONNECT_AUTHORIZER.entry)
        problems.push('the authorizer does not run the authorizer entry');
      else if (
        !invokePermission(
          graph,
          fn,
          `arn:aws:execute-api:${REGION}:${ACCOUNT}:${String(ws.id)}/authorizers/${String(authorizer.id)}`,
        )
      ) {
        problems.push('API Gateway may not invoke the authorizer');
      }
      return problems;
    },
  },
  {
    id: 'http-routes',
    name: 'the HTTP API serves every route through payload format 2.0, and POST /token only where dev mode is asked for',
    run(graph, variant) {
      const http = graph.api('HTTP');
      const routes = graph.routesOf(http);
      const problems: string[] = [];
      const expected = HTTP_ROUTES.filter((route) => !route.devOnly || servesTokens(variant));
      const keys = routes.map((route) => route.key).sort();
      const wanted = expected.map((route) => route.key).sort();
      if (keys.join() !== wanted.join())
        problems.push(`HTTP routes are ${keys.join(', ')}, expected ${wanted.join(', ')}`);
      for (const { key, entry } of expected) {
        const route = routes.find((candidate) => candidate.key === key);
        if (route === undefined) continue;
        if (route.integration?.inputs.integrationType !== 'AWS_PROXY')
          problems.push(`${key} is not AWS_PROXY`);
        if (route.integration?.inputs.payloadFormatVersion !== '2.0')
          problems.push(`${key} is not payload format 2.0`);
        if (route.fn === undefined || graph.entryOf(route.fn) !== entry)
          problems.push(`${key} does not run ${entry}`);
        else if (
          !invokePermission(graph, route.fn, `arn:aws:execute-api:${REGION}:${ACCOUNT}:${String(http.id)}/*`)
        )
          problems.push(`API Gateway may not invoke the function of ${key}`);
      }
      return problems;
    },
  },
  {
    id: 'redrive',
    name: 'every queue redrives to its own dead-letter queue, and dead-letter queues redrive nowhere',
    run(graph) {
      const queues = graph.all('aws:sqs/queue:Queue');
      const problems: string[] = [];
      const known = new Set(QUEUES.flatMap((queue) => [`${queue.name}Queue`, `${queue.dlq}Queue`]));
      for (const queue of queues)
        if (!known.has(queue.name)) problems.push(`${queue.name} is in no row of QUEUES`);
      const targets = new Set<string>();
      for (const { name, dlq } of QUEUES) {
        const queue = queues.find((candidate) => candidate.name === `${name}Queue`);
        const dead = queues.find((candidate) => candidate.name === `${dlq}Queue`);
        if (queue === undefined || dead === undefined) {
          problems.push(`${name} or its dead-letter queue is missing`);
          continue;
        }
        if (dead.inputs.redrivePolicy !== undefined) problems.push(`${dlq} redrives`);
        if (typeof queue.inputs.redrivePolicy !== 'string') {
          problems.push(`${name} has no redrive policy`);
          continue;
        }
        const policy = JSON.parse(queue.inputs.redrivePolicy) as {
          deadLetterTargetArn: string;
          maxReceiveCount: number;
        };
        if (policy.deadLetterTargetArn !== queueArn(dlq))
          problems.push(`${name} redrives to ${policy.deadLetterTargetArn}`);
        if (policy.maxReceiveCount !== QUEUE_SETTINGS.maxReceiveCount) {
          problems.push(`${name} redrives after ${String(policy.maxReceiveCount)} receives`);
        }
        if (targets.has(policy.deadLetterTargetArn)) problems.push(`${name} shares its dead-letter queue`);
        targets.add(policy.deadLetterTargetArn);
      }
      return problems;
    },
  },
  {
    id: 'visibility',
    name: `every queue’s visibility timeout is at least ${String(VISIBILITY_FACTOR)} × its subscriber’s timeout`,
    run(graph) {
      const problems: string[] = [];
      for (const { name, subscriber } of QUEUES) {
        const fn = functionOf(graph, subscriber);
        const queue = graph.all('aws:sqs/queue:Queue').find((candidate) => candidate.name === `${name}Queue`);
        if (typeof fn === 'string' || queue === undefined) continue;
        const visibility = Number(queue.inputs.visibilityTimeoutSeconds);
        if (!(visibility >= VISIBILITY_FACTOR * timeoutOf(fn))) {
          problems.push(
            `${name}: visibility ${String(visibility)} s < ${String(VISIBILITY_FACTOR)} × ${String(timeoutOf(fn))} s`,
          );
        }
      }
      return problems;
    },
  },
  {
    id: 'event-source-mappings',
    name: 'each queue has one event source mapping, to its subscriber, with the batch size and ReportBatchItemFailures',
    run(graph) {
      const mappings = graph.all('aws:lambda/eventSourceMapping:EventSourceMapping');
      const problems: string[] = [];
      if (mappings.length !== QUEUES.length)
        problems.push(`${String(mappings.length)} event source mappings`);
      for (const { name, subscriber } of QUEUES) {
        const own = mappings.filter((mapping) => mapping.inputs.eventSourceArn === queueArn(name));
        const mapping = own[0];
        if (own.length !== 1 || mapping === undefined) {
          problems.push(`${name} has ${String(own.length)} event source mappings`);
          continue;
        }
        const fn = graph.functionAt(mapping.inputs.functionName);
        if (fn === undefined || graph.entryOf(fn) !== subscriber)
          problems.push(`${name} is not read by ${subscriber}`);
        if (mapping.inputs.batchSize !== QUEUE_BATCH_SIZE)
          problems.push(`${name} batch size ${String(mapping.inputs.batchSize)}`);
        if (JSON.stringify(mapping.inputs.functionResponseTypes) !== '["ReportBatchItemFailures"]') {
          problems.push(`${name} does not report batch item failures`);
        }
      }
      return problems;
    },
  },
  {
    id: 'tables',
    name: 'the tables have the adapters’ keys, index and TTL attribute, on demand, with point-in-time recovery',
    run(graph) {
      const problems: string[] = [];
      const tables = graph.all('aws:dynamodb/table:Table');
      if (tables.length !== TABLES.length) problems.push(`${String(tables.length)} tables`);
      for (const { name, definition, ttl } of TABLES) {
        const found = tables.filter((table) => table.name === `${name}Table`);
        const table = found[0];
        if (found.length !== 1 || table === undefined) {
          problems.push(`no ${name} table`);
          continue;
        }
        const inputs = table.inputs;
        const attributes = (inputs.attributes as { name: string; type: string }[])
          .map((a) => `${a.name}:${a.type}`)
          .sort();
        const wanted = (definition.AttributeDefinitions ?? [])
          .map((a) => `${a.AttributeName ?? ''}:${a.AttributeType ?? ''}`)
          .sort();
        if (attributes.join() !== wanted.join()) problems.push(`${name} attributes ${attributes.join(', ')}`);
        const hash = definition.KeySchema?.find((key) => key.KeyType === 'HASH')?.AttributeName;
        const range = definition.KeySchema?.find((key) => key.KeyType === 'RANGE')?.AttributeName;
        if (inputs.hashKey !== hash || inputs.rangeKey !== range)
          problems.push(`${name} keys ${String(inputs.hashKey)} ${String(inputs.rangeKey)}`);
        const indexes = (inputs.globalSecondaryIndexes as Record<string, unknown>[])
          .map((index) => JSON.stringify(index))
          .sort();
        const wantedIndexes = (definition.GlobalSecondaryIndexes ?? [])
          .map((index) =>
            JSON.stringify({
              hashKey: index.KeySchema?.find((key) => key.KeyType === 'HASH')?.AttributeName,
              name: index.IndexName,
              projectionType: index.Projection?.ProjectionType,
              rangeKey: index.KeySchema?.find((key) => key.KeyType === 'RANGE')?.AttributeName,
            }),
          )
          .sort();
        if (indexes.join() !== wantedIndexes.join()) problems.push(`${name} indexes ${indexes.join(', ')}`);
        if (JSON.stringify(inputs.ttl) !== JSON.stringify({ attributeName: ttl, enabled: true })) {
          problems.push(`${name} TTL ${JSON.stringify(inputs.ttl)}`);
        }
        if (inputs.billingMode !== definition.BillingMode)
          problems.push(`${name} billing ${String(inputs.billingMode)}`);
        if ((inputs.pointInTimeRecovery as { enabled?: boolean } | undefined)?.enabled !== true) {
          problems.push(`${name} has no point-in-time recovery`);
        }
      }
      return problems;
    },
  },
  {
    id: 'retain',
    name: 'production keeps its tables on removal and is protected; other stages are removed with the app',
    run(graph, variant) {
      const problems: string[] = [];
      const keep = production(variant);
      for (const table of graph.all('aws:dynamodb/table:Table')) {
        if ((table.options?.retainOnDelete === true) !== keep) {
          problems.push(`${table.name} retainOnDelete is ${String(table.options?.retainOnDelete)}`);
        }
      }
      if (graph.evaluation.outputs?._protect !== keep)
        problems.push(`_protect is ${String(graph.evaluation.outputs?._protect)}`);
      return problems;
    },
  },
  {
    id: 'manage-connections',
    name: 'execute-api:ManageConnections is granted to exactly the functions that push, on this API’s @connections',
    run(graph) {
      const ws = graph.api('WEBSOCKET');
      const manage = `arn:aws:execute-api:${REGION}:${ACCOUNT}:${String(ws.id)}/*/*/@connections/*`;
      const problems: string[] = [];
      for (const [entry, functions] of graph.functionsByEntry()) {
        for (const fn of functions) {
          const granted = graph.grantsOf(fn)['execute-api:ManageConnections'];
          const pushes = PUSHERS.includes(entry as Entry);
          if (pushes && JSON.stringify(granted) !== JSON.stringify([manage]))
            problems.push(`${entry} may not push`);
          if (!pushes && granted !== undefined)
            problems.push(`${entry} may ManageConnections but does not push`);
        }
      }
      return problems;
    },
  },
  {
    id: 'least-privilege',
    name: 'every function’s role grants exactly its entry’s grants (and SST’s grants to a subscriber on its queue), each backed by a need, none a wildcard',
    run(graph) {
      const ws = graph.api('WEBSOCKET');
      const arns: DeployedArns = {
        table: tableArn,
        queue: queueArn,
        manageConnections: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${String(ws.id)}/*/*/@connections/*`,
      };
      const table = leastPrivilege(arns);
      const problems: string[] = [];
      for (const [entry, functions] of graph.functionsByEntry()) {
        const wanted: Record<string, string[]> = { ...table[entry as Entry] };
        const queue = QUEUES.find((candidate) => candidate.subscriber === entry);
        if (queue !== undefined) {
          for (const action of SUBSCRIBER_ACTIONS)
            wanted[action] = [...(wanted[action] ?? []), queueArn(queue.name)].sort();
        }
        for (const fn of functions) {
          const granted = graph.grantsOf(fn);
          for (const action of new Set([...Object.keys(granted), ...Object.keys(wanted)])) {
            const got = JSON.stringify(granted[action] ?? []);
            if (got !== JSON.stringify(wanted[action] ?? [])) problems.push(`${entry}: ${action} on ${got}`);
          }
          // The config's own grants, without SST's to a subscriber on its queue.
          const own = Object.entries(granted).flatMap(([action, resources]): [string, string[]][] => {
            const kept =
              queue !== undefined && SUBSCRIBER_ACTIONS.includes(action)
                ? resources.filter((resource) => resource !== queueArn(queue.name))
                : resources;
            return kept.length > 0 ? [[action, kept]] : [];
          });
          problems.push(...leastPrivilegeProblems({ [entry]: Object.fromEntries(own) }, arns));
        }
      }
      return problems;
    },
  },
  {
    id: 'functions',
    name: 'each entry runs in one function: the runtime, arm64, and the ESM bundle with the runtime’s AWS SDK left out',
    run(graph, variant) {
      const problems: string[] = [];
      const deployed = [...graph.functionsByEntry().keys()].sort();
      const wanted = expectedEntries(variant).sort();
      if (deployed.join() !== wanted.join()) problems.push(`entries deployed: ${deployed.join(', ')}`);
      for (const entry of wanted) {
        const fn = functionOf(graph, entry);
        if (typeof fn === 'string') {
          problems.push(fn);
          continue;
        }
        if (fn.inputs.runtime !== LAMBDA_RUNTIME)
          problems.push(`${entry} runs on ${String(fn.inputs.runtime)}`);
        if (JSON.stringify(fn.inputs.architectures) !== '["arm64"]') problems.push(`${entry} is not arm64`);
        const build = graph.buildOf(fn).properties as Record<string, unknown>;
        const external = JSON.stringify((build.esbuild as { external?: unknown } | undefined)?.external);
        if (
          build.format !== 'esm' ||
          build.minify !== true ||
          external !== JSON.stringify(RUNTIME_PROVIDED)
        ) {
          problems.push(`${entry} is built as ${JSON.stringify(build)}`);
        }
      }
      return problems;
    },
  },
  {
    id: 'environment',
    name: 'every function’s environment is complete for its entry: its own config loader accepts it, nothing else is set',
    run(graph, variant) {
      const problems: string[] = [];
      for (const [entry, functions] of graph.functionsByEntry()) {
        for (const fn of functions) {
          const variables =
            (fn.inputs.environment as { variables?: Record<string, string> } | undefined)?.variables ?? {};
          const { required, optional } = envFor(entry as Entry);
          const reads = new Set<string>([...required, ...optional, ...SST_VARIABLES]);
          for (const name of Object.keys(variables))
            if (!reads.has(name)) problems.push(`${entry} gets ${name}`);
          for (const name of SST_VARIABLES)
            if (variables[name] === undefined) problems.push(`${entry} misses ${name}`);
          const size = Object.entries(variables).reduce(
            (bytes, [name, value]) => bytes + name.length + value.length,
            0,
          );
          if (size > ENVIRONMENT_LIMIT) problems.push(`${entry}'s environment is ${String(size)} bytes`);
          try {
            const config = loadConfig(entry as Entry, variables);
            if (config.mode !== (devModeAsked(variant) ? 'dev' : 'production'))
              problems.push(`${entry} runs in ${config.mode} mode`);
            if (config.dynamoDbEndpoint !== null || config.sqsEndpoint !== null)
              problems.push(`${entry} uses a local endpoint`);
            const jwks = variant.env[ENV.jwksUrl];
            if (
              config.tokenKeys !== null &&
              jwks !== undefined &&
              entry !== 'token' &&
              config.tokenKeys.kind !== 'jwks'
            ) {
              problems.push(`${entry} verifies with a secret although a JWKS URL is given`);
            }
          } catch (error) {
            problems.push(`${entry}: ${error instanceof Error ? error.message : String(error)}`);
          }
        }
      }
      return problems;
    },
  },
  {
    id: 'dashboard',
    name: 'the dashboard shows every delivery metric the apps emit and the depth of every dead-letter queue',
    run(graph, variant) {
      const dashboards = graph.all('aws:cloudwatch/dashboard:Dashboard');
      const dashboard = dashboards[0];
      if (dashboards.length !== 1 || dashboard === undefined)
        return [`${String(dashboards.length)} dashboards`];
      const problems: string[] = [];
      if (dashboard.inputs.dashboardName !== `pushline-${variant.stage}`) {
        problems.push(`the dashboard is named ${String(dashboard.inputs.dashboardName)}`);
      }
      const body = JSON.parse(String(dashboard.inputs.dashboardBody)) as {
        widgets: { type: string; properties: { region?: string; metrics?: unknown[][] } }[];
      };
      const shown = body.widgets.flatMap((widget) => {
        if (widget.properties.region !== REGION) problems.push('a widget is not in the stack’s region');
        return widget.properties.metrics ?? [];
      });
      const ours = shown.filter((metric) => metric[0] === METRICS_NAMESPACE);
      for (const name of DASHBOARD_METRICS) {
        if (
          !ours.some((metric) => metric[1] === name && metric[2] === 'service' && metric[3] === 'pushline')
        ) {
          problems.push(`the dashboard does not show ${name}`);
        }
      }
      for (const metric of ours) {
        if (!DASHBOARD_METRICS.includes(String(metric[1])))
          problems.push(`the dashboard shows ${String(metric[1])}, which no app emits`);
      }
      const depths = shown
        .filter(
          (metric) =>
            metric[0] === 'AWS/SQS' &&
            metric[1] === 'ApproximateNumberOfMessagesVisible' &&
            metric[2] === 'QueueName',
        )
        .map((metric) => String(metric[3]));
      const queues = graph.all('aws:sqs/queue:Queue');
      // A queue's name is the last part of its ARN (the mocks build ARNs from logical names).
      const nameOf = (logical: string): string | undefined =>
        queues
          .find((queue) => queue.name === logical)
          ?.id?.split('/')
          .pop();
      const wanted = QUEUES.map(({ dlq }) => nameOf(`${dlq}Queue`));
      for (const [index, { dlq }] of QUEUES.entries()) {
        if (!depths.includes(wanted[index] ?? ''))
          problems.push(`the dashboard does not show the depth of ${dlq}`);
      }
      for (const depth of depths)
        if (!wanted.includes(depth)) problems.push(`the dashboard shows the depth of '${depth}'`);
      return problems;
    },
  },
];
