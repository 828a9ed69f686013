// Stand-ins for the globals SST defines when it evaluates sst.config.ts ($config, $app, sst.aws.*,
// aws.*, $interpolate): each records what the config asked for, so a test can check the
// deployment offline. Resource attributes are plain strings naming their resource.

/** A Lambda function as the config declared it. */
export interface DeclaredFunction {
  readonly handler: string;
  readonly runtime?: string;
  readonly environment?: Readonly<Record<string, string>>;
  readonly permissions?: readonly {
    readonly actions: readonly string[];
    readonly resources: readonly string[];
  }[];
  readonly link?: readonly unknown[];
  readonly nodejs?: {
    readonly format?: string;
    readonly esbuild?: { readonly external?: readonly string[] };
  };
}

/** Where a function is attached. */
export type Attachment =
  | { readonly kind: 'ws-route'; readonly key: string; readonly args: Record<string, unknown> | undefined }
  | { readonly kind: 'authorizer'; readonly name: string; readonly identitySources: readonly string[] }
  | {
      readonly kind: 'subscriber';
      readonly queue: string;
      readonly args: Record<string, unknown> | undefined;
    }
  | { readonly kind: 'http-route'; readonly key: string };

/** Everything one evaluation of `run()` declared. */
export interface Declared {
  readonly functions: { readonly at: Attachment; readonly fn: DeclaredFunction }[];
  readonly tables: Record<string, Record<string, unknown>>;
  readonly queues: Record<string, Record<string, unknown> | undefined>;
  readonly secrets: string[];
  readonly routeResponses: Record<string, unknown>[];
  readonly apis: string[];
  /** CloudWatch dashboards: name and body (as the config rendered it). */
  readonly dashboards: Record<string, { dashboardName: string; dashboardBody: string }>;
  /** The arguments each API was created with, by name. */
  readonly apiArgs: Record<string, Record<string, unknown> | undefined>;
  /** CloudWatch alarms, by name. */
  readonly alarms: Record<string, Record<string, unknown>>;
}

function record(): Declared {
  return {
    functions: [],
    tables: {},
    queues: {},
    secrets: [],
    routeResponses: [],
    apis: [],
    dashboards: {},
    apiArgs: {},
    alarms: {},
  };
}

export interface SstStubs {
  /** What the last `run()` declared. */
  declared: Declared;
  /** Sets `$app.stage` and starts a fresh record. */
  reset(stage: string): void;
  /** Removes the globals. */
  uninstall(): void;
}

const GLOBALS = ['$config', '$app', '$dev', '$interpolate', '$jsonStringify', 'sst', 'aws'] as const;

/** Installs the stand-ins on `globalThis`. */
export function installSstStubs(): SstStubs {
  const state: { declared: Declared; stage: string } = { declared: record(), stage: 'dev' };
  const fn = (args: unknown): DeclaredFunction => {
    if (typeof args === 'string') return { handler: args };
    return args as DeclaredFunction;
  };

  class Dynamo {
    readonly name: string;
    readonly arn: string;
    constructor(name: string, args: Record<string, unknown>) {
      state.declared.tables[name] = args;
      this.name = `table:${name}`;
      this.arn = `arn:aws:dynamodb:us-east-1:000000000000:table/${name}`;
    }
  }
  class Queue {
    readonly url: string;
    readonly arn: string;
    readonly nodes: {
      readonly queue: {
        readonly name: string;
        readonly redrivePolicy: { apply<T>(fn: (policy: string | undefined) => T): T };
      };
    };
    constructor(
      private readonly name: string,
      args?: Record<string, unknown>,
    ) {
      state.declared.queues[name] = args;
      this.url = `https://sqs.us-east-1.amazonaws.com/000000000000/${name}`;
      this.arn = `arn:aws:sqs:us-east-1:000000000000:${name}`;
      const dlq = (args?.dlq as { queue?: string; retry?: number } | undefined) ?? undefined;
      const policy =
        dlq === undefined
          ? undefined
          : JSON.stringify({ deadLetterTargetArn: dlq.queue, maxReceiveCount: dlq.retry });
      this.nodes = { queue: { name: `queue:${name}`, redrivePolicy: { apply: (fn) => fn(policy) } } };
    }
    subscribe(subscriber: unknown, args?: Record<string, unknown>): void {
      state.declared.functions.push({
        at: { kind: 'subscriber', queue: this.name, args },
        fn: fn(subscriber),
      });
    }
  }
  class ApiGatewayWebSocket {
    readonly url = 'wss://wsapi.execute-api.us-east-1.amazonaws.com/$default';
    readonly managementEndpoint = 'https://wsapi.execute-api.us-east-1.amazonaws.com/$default';
    readonly nodes = {
      api: { id: 'wsapi', executionArn: 'arn:aws:execute-api:us-east-1:000000000000:wsapi' },
    };
    constructor(name: string, args?: Record<string, unknown>) {
      state.declared.apis.push(name);
      state.declared.apiArgs[name] = args;
    }
    route(key: string, handler: unknown, args?: Record<string, unknown>) {
      state.declared.functions.push({ at: { kind: 'ws-route', key, args }, fn: fn(handler) });
      return { nodes: { route: { id: `route:${key}` } } };
    }
    addAuthorizer(name: string, args: { lambda: { function: unknown; identitySources: string[] } }) {
      state.declared.functions.push({
        at: { kind: 'authorizer', name, identitySources: args.lambda.identitySources },
        fn: fn(args.lambda.function),
      });
      return { id: `authorizer:${name}` };
    }
  }
  class ApiGatewayV2 {
    readonly url = 'https://httpapi.execute-api.us-east-1.amazonaws.com';
    constructor(name: string) {
      state.declared.apis.push(name);
    }
    route(key: string, handler: unknown): void {
      state.declared.functions.push({ at: { kind: 'http-route', key }, fn: fn(handler) });
    }
  }
  class Secret {
    readonly value: string;
    constructor(name: string) {
      state.declared.secrets.push(name);
      this.value = `secret:${name}`;
    }
  }
  class MetricAlarm {
    readonly urn: string;
    constructor(name: string, args: Record<string, unknown>) {
      state.declared.alarms[name] = args;
      this.urn = `urn:MetricAlarm:${name}`;
    }
  }
  class RouteResponse {
    readonly urn: string;
    constructor(name: string, args: Record<string, unknown>) {
      state.declared.routeResponses.push(args);
      this.urn = `urn:RouteResponse:${name}`;
    }
  }

  class Dashboard {
    readonly urn: string;
    constructor(name: string, args: { dashboardName: string; dashboardBody: string }) {
      state.declared.dashboards[name] = args;
      this.urn = `urn:Dashboard:${name}`;
    }
  }

  const globals: Record<(typeof GLOBALS)[number], unknown> = {
    $config: (config: unknown) => config,
    $app: {
      get stage() {
        return state.stage;
      },
      name: 'pushline',
    },
    $dev: false,
    $interpolate: (strings: TemplateStringsArray, ...values: unknown[]) =>
      strings.reduce((text, part, i) => text + part + (i < values.length ? String(values[i]) : ''), ''),
    sst: { Secret, aws: { Dynamo, Queue, ApiGatewayWebSocket, ApiGatewayV2 } },
    $jsonStringify: (value: unknown) => JSON.stringify(value),
    aws: {
      apigatewayv2: { RouteResponse },
      cloudwatch: { Dashboard, MetricAlarm },
      getRegionOutput: () => ({ region: 'us-east-1' }),
    },
  };
  Object.assign(globalThis, globals);
  return {
    get declared() {
      return state.declared;
    },
    reset(stage) {
      state.stage = stage;
      state.declared = record();
    },
    uninstall() {
      for (const name of GLOBALS) Reflect.deleteProperty(globalThis, name);
    },
  };
}
