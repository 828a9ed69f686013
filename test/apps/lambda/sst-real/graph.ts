// The resource graph SST's real components registered under Pulumi's mocks (program.ts writes
// it), and the questions the assertions ask of it: which function a route reaches, which
// queue a mapping reads, what a role may do.

export const REGION = 'us-east-1';
export const ACCOUNT = '000000000000';

/** The options of a resource as the last stack transformation sees them. */
export interface RecordedOptions {
  retainOnDelete?: boolean;
  protect?: boolean;
}

/** One `registerResource`, with its inputs as the provider would receive them (secrets revealed). */
export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  /** `false` for components (`sst:aws:Function`, …), which only group resources. */
  readonly custom: boolean;
  /** Read, not created (`Resource.get`). */
  readonly read: boolean;
  /** The id the mocked provider gave it (built from the logical name, see program.ts). */
  readonly id: string | null;
  readonly inputs: Record<string, unknown>;
  options?: RecordedOptions;
}

/** A fault the evaluation met, as SST would print it. */
export interface EvaluationError {
  readonly kind: string;
  /** The error's class (`SecretMissingError`, …). */
  readonly name: string;
  readonly message: string;
}

/** What one evaluation of `sst.config.ts` for one stage produced. */
export interface Evaluation {
  readonly stage: string;
  /** `completed`: the program returned and nothing failed; `watchdog`: it hung. */
  readonly status: 'completed' | 'failed' | 'watchdog';
  outputs: Record<string, unknown> | null;
  readonly resources: RecordedResource[];
  /** Provider functions called (`aws:iam/getPolicyDocument:getPolicyDocument`, …). */
  readonly invokes: string[];
  /** Calls to the SST CLI's RPC server (`Runtime.Build` carries each function's build properties). */
  readonly rpc: { readonly method: string; readonly input: Record<string, unknown> }[];
  readonly errors: EvaluationError[];
}

/** One statement of an IAM policy. */
export interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: string | string[];
}

const FUNCTION_ARN = new RegExp(`^arn:aws:lambda:${REGION}:${ACCOUNT}:function:([A-Za-z0-9]+)$`);
const INVOKE_ARN = /functions\/(arn:aws:lambda:[^/]+)\/invocations$/;

/** Read access to an evaluation's resources. */
export class Graph {
  constructor(readonly evaluation: Evaluation) {}

  /** Custom resources of a type (`aws:sqs/queue:Queue`, …). */
  all(type: string): RecordedResource[] {
    return this.evaluation.resources.filter((resource) => resource.custom && resource.type === type);
  }

  /** The one resource of a type with a logical name; throws naming what exists otherwise. */
  one(type: string, name: string): RecordedResource {
    const found = this.all(type).filter((resource) => resource.name === name);
    if (found.length !== 1) {
      const names = this.all(type).map((resource) => resource.name);
      throw new Error(`${String(found.length)} ${type} named ${name}; there are: ${names.join(', ')}`);
    }
    return found[0]!;
  }

  /** The resource whose mocked id is `id`. */
  byId(type: string, id: unknown): RecordedResource | undefined {
    return this.all(type).find((resource) => resource.id === id);
  }

  /** The function an ARN or an invoke ARN (`…/functions/<arn>/invocations`) names. */
  functionAt(reference: unknown): RecordedResource | undefined {
    const text = String(reference);
    const arn = INVOKE_ARN.exec(text)?.[1] ?? text;
    const name = FUNCTION_ARN.exec(arn)?.[1];
    return name === undefined ? undefined : this.one('aws:lambda/function:Function', name);
  }

  /** The entry (`connect`, `notify-user`, …) a function runs, from its handler. */
  entryOf(fn: RecordedResource): string {
    const build = this.evaluation.rpc.find(
      (call) => call.method === 'Runtime.Build' && `${String(call.input.functionID)}Function` === fn.name,
    );
    const handler = String(build?.input.handler ?? fn.inputs.handler);
    const match = /^apps\/lambda\/src\/handlers\/([a-z-]+)\.handler$/.exec(handler);
    if (match === null) throw new Error(`${fn.name} runs ${handler}, which is not a Pushline entry`);
    return match[1]!;
  }

  /** The build properties SST passed to the CLI for a function (`nodejs`, `architecture`, …). */
  buildOf(fn: RecordedResource): Record<string, unknown> {
    const build = this.evaluation.rpc.find(
      (call) => call.method === 'Runtime.Build' && `${String(call.input.functionID)}Function` === fn.name,
    );
    if (build === undefined) throw new Error(`no Runtime.Build for ${fn.name}`);
    return build.input;
  }

  /** Every function, by the entry it runs. */
  functionsByEntry(): Map<string, RecordedResource[]> {
    const byEntry = new Map<string, RecordedResource[]>();
    for (const fn of this.all('aws:lambda/function:Function')) {
      const entry = this.entryOf(fn);
      byEntry.set(entry, [...(byEntry.get(entry) ?? []), fn]);
    }
    return byEntry;
  }

  /** The statements of a function's role's inline policies. */
  statementsOf(fn: RecordedResource): Statement[] {
    const role = this.all('aws:iam/role:Role').find(
      (candidate) => `arn:aws:iam::${ACCOUNT}:role/${candidate.name}` === fn.inputs.role,
    );
    if (role === undefined) throw new Error(`${fn.name} has no role of its own`);
    const policies = (role.inputs.inlinePolicies ?? []) as { policy: string }[];
    return policies.flatMap((policy) => (JSON.parse(policy.policy) as { Statement: Statement[] }).Statement);
  }

  /** `action -> resources` a function's role allows, both sorted. */
  grantsOf(fn: RecordedResource): Record<string, string[]> {
    const grants: Record<string, string[]> = {};
    for (const statement of this.statementsOf(fn)) {
      if (statement.Effect !== 'Allow') throw new Error(`${fn.name} has a ${statement.Effect} statement`);
      for (const action of [statement.Action].flat()) {
        grants[action] = [...(grants[action] ?? []), ...[statement.Resource].flat()].sort();
      }
    }
    return Object.fromEntries(Object.entries(grants).sort(([a], [b]) => a.localeCompare(b)));
  }

  /** The API (WebSocket or HTTP) of a protocol; there must be exactly one. */
  api(protocol: 'WEBSOCKET' | 'HTTP'): RecordedResource {
    const apis = this.all('aws:apigatewayv2/api:Api').filter((api) => api.inputs.protocolType === protocol);
    if (apis.length !== 1) throw new Error(`${String(apis.length)} ${protocol} APIs`);
    return apis[0]!;
  }

  /** The routes of an API, each with its integration and the function it reaches. */
  routesOf(api: RecordedResource): Route[] {
    return this.all('aws:apigatewayv2/route:Route')
      .filter((route) => route.inputs.apiId === api.id)
      .map((route) => {
        const target = typeof route.inputs.target === 'string' ? route.inputs.target : '';
        const integration = this.byId(
          'aws:apigatewayv2/integration:Integration',
          target.replace(/^integrations\//, ''),
        );
        const fn = integration === undefined ? undefined : this.functionAt(integration.inputs.integrationUri);
        return { key: String(route.inputs.routeKey), route, integration, fn };
      });
  }
}

/** A route of an API, resolved. */
export interface Route {
  readonly key: string;
  readonly route: RecordedResource;
  readonly integration: RecordedResource | undefined;
  readonly fn: RecordedResource | undefined;
}
