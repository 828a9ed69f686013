// The child side of the real-component evaluation (evaluate.ts bundles it with SST's platform
// and sst.config.ts, as the SST CLI bundles a deploy, and runs it in its own node process).
// Pulumi's engine is replaced by `runtime.setMocks`; the SST CLI's RPC server (asset bucket,
// function builds) by a small HTTP server on 127.0.0.1. Every resource SST's components
// register is recorded, with the options a stack transformation sees, and written as JSON.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { ACCOUNT, type Evaluation, type RecordedOptions, REGION } from './graph.js';

/** The part of `@pulumi/pulumi` used here (SST's own copy, in `.sst/platform/node_modules`). */
export interface PulumiModule {
  readonly runtime: {
    setMocks(mocks: Mocks, project?: string, stack?: string, preview?: boolean): Promise<void>;
    runInPulumiStack(init: () => Promise<unknown>): Promise<Record<string, unknown> | undefined>;
    registerStackTransformation(
      transformation: (args: { type: string; name: string; opts: ResourceOptions }) => undefined,
    ): void;
    /** Resolves when every outstanding resource registration has finished (not in the typings). */
    waitForRPCs(): Promise<void>;
  };
}

interface ResourceOptions {
  readonly retainOnDelete?: boolean;
  readonly protect?: boolean;
  readonly parent?: unknown;
}

interface Mocks {
  newResource(args: {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    custom?: boolean;
    id?: string;
  }): { id: string | undefined; state: Record<string, unknown> };
  call(args: { token: string; inputs: Record<string, unknown> }): Record<string, unknown>;
}

/** The default export of sst.config.ts. */
export interface SstConfig {
  app(input: { stage: string }): Record<string, unknown> | Promise<Record<string, unknown>>;
  run(): Promise<unknown>;
}

/** What the child reads from its environment (set by evaluate.ts). */
interface Settings {
  readonly stage: string;
  readonly out: string;
  readonly work: string;
  readonly watchdogMs: number;
  /** `$cli`: the command, and the paths of the root, the work folder and the platform. */
  readonly cli: Record<string, unknown>;
}

function settings(): Settings {
  const out = process.env.PUSHLINE_SST_EVAL_OUT;
  const work = process.env.PUSHLINE_SST_EVAL_WORK;
  const stage = process.env.PUSHLINE_SST_EVAL_STAGE;
  const cli = process.env.PUSHLINE_SST_EVAL_CLI;
  if (out === undefined || work === undefined || stage === undefined || cli === undefined) {
    throw new Error('program.ts runs only under evaluate.ts (PUSHLINE_SST_EVAL_* are not set)');
  }
  return {
    out,
    work,
    stage,
    cli: JSON.parse(cli) as Record<string, unknown>,
    watchdogMs: Number(process.env.PUSHLINE_SST_EVAL_WATCHDOG_MS ?? 60_000),
  };
}

/**
 * What the CLI does before a deploy (pkg/project): evaluates app() for the stage (with
 * `$config` the identity), fills in its defaults, and gives the platform `$app` and `$cli` as
 * globals. Runs in its own bundle, before the platform's modules load: some read `$app` as
 * they load.
 */
export async function installApp(config: SstConfig): Promise<void> {
  const { stage, cli } = settings();
  Object.assign(globalThis, { $app: appOf(await config.app({ stage }), stage), $cli: cli });
}

/** `$app` as the CLI builds it from app()'s answer (pkg/project/project.go): its defaults filled in. */
function appOf(declared: Record<string, unknown>, stage: string): Record<string, unknown> {
  const home = String(declared.home);
  const providers = (declared.providers ?? {}) as Record<string, unknown>;
  return {
    name: declared.name,
    stage,
    removal: declared.removal ?? 'retain',
    providers: home !== 'local' && providers[home] === undefined ? { ...providers, [home]: {} } : providers,
    home,
    version: declared.version ?? '',
    protect: declared.protect ?? false,
    backend: '',
    removalPolicy: '',
  };
}

// Pulumi marks secret values with this signature; the recorded inputs carry the plain value.
const SECRET_SIG = '4dabf18193072939515e22adb298388d';
const SECRET_VALUE = '1b47061264138c4ac30d75fd1eb44270';

function reveal(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reveal);
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  if (record[SECRET_SIG] === SECRET_VALUE) return reveal(record.value);
  return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, reveal(inner)]));
}

const arn = (service: string, resource: string): string =>
  `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;

/**
 * Outputs the provider would return on create: ids, ARNs and URLs built from the logical name
 * (never the random physical name), so two runs give the same graph.
 */
function created(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const physical = typeof inputs.name === 'string' ? inputs.name : `${name}-physical`;
  switch (type) {
    case 'aws:apigatewayv2/api:Api': {
      const id = name.toLowerCase();
      const scheme = inputs.protocolType === 'WEBSOCKET' ? 'wss' : 'https';
      return {
        id,
        apiEndpoint: `${scheme}://${id}.execute-api.${REGION}.amazonaws.com`,
        executionArn: arn('execute-api', id),
        arn: `arn:aws:apigateway:${REGION}::/apis/${id}`,
      };
    }
    case 'aws:dynamodb/table:Table':
      return { id: physical, name: physical, arn: arn('dynamodb', `table/${name}`) };
    case 'aws:sqs/queue:Queue': {
      const url = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`;
      return { id: url, name: physical, url, arn: arn('sqs', name) };
    }
    case 'aws:lambda/function:Function': {
      const functionArn = arn('lambda', `function:${name}`);
      return {
        id: physical,
        name: physical,
        arn: functionArn,
        qualifiedArn: `${functionArn}:$LATEST`,
        invokeArn: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${functionArn}/invocations`,
      };
    }
    case 'aws:iam/role:Role':
      return { id: physical, name: physical, arn: `arn:aws:iam::${ACCOUNT}:role/${name}` };
    case 'aws:cloudwatch/logGroup:LogGroup':
      return { id: physical, name: physical, arn: arn('logs', `log-group:${physical}`) };
    case 'aws:apigateway/account:Account':
      // An account whose CloudWatch role is already set, so SST adds no role of its own.
      return { id: 'account', cloudwatchRoleArn: `arn:aws:iam::${ACCOUNT}:role/existing` };
    case 'random:index/randomBytes:RandomBytes':
      return { id: name, base64: 'ZXZhbHVhdGlvbg==', hex: '6576616c756174696f6e' };
    default:
      return { id: `${name}-id`, arn: `arn:aws:mock:${REGION}:${ACCOUNT}:${name}` };
  }
}

/** `aws.iam.getPolicyDocument`, rendered as the provider renders it (single values unwrapped). */
function policyDocument(inputs: Record<string, unknown>): string {
  const one = (value: unknown): unknown => (Array.isArray(value) && value.length === 1 ? value[0] : value);
  const statements = ((inputs.statements ?? []) as Record<string, unknown>[]).map((statement) => {
    const rendered: Record<string, unknown> = { Effect: statement.effect ?? 'Allow' };
    if (statement.sid !== undefined) rendered.Sid = statement.sid;
    if (statement.actions !== undefined) rendered.Action = one(statement.actions);
    if (statement.resources !== undefined) rendered.Resource = one(statement.resources);
    if (statement.principals !== undefined) {
      rendered.Principal = Object.fromEntries(
        (statement.principals as { type: string; identifiers: unknown }[]).map((p) => [
          p.type,
          one(p.identifiers),
        ]),
      );
    }
    if (statement.conditions !== undefined) {
      rendered.Condition = Object.fromEntries(
        (statement.conditions as { test: string; variable: string; values: unknown }[]).map((c) => [
          c.test,
          { [c.variable]: one(c.values) },
        ]),
      );
    }
    return rendered;
  });
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/**
 * Installs the mocks and the RPC server, then runs `program` (SST's `run()` around the
 * config's) in a root stack, waits for everything registered inside `apply`s, and writes the
 * evaluation. Exits the process: 0 when the program completed without errors, 1 otherwise.
 */
export async function evaluateProgram(
  pulumi: PulumiModule,
  program: (recordOptions: () => void) => Promise<unknown>,
): Promise<never> {
  const { stage, out, work, watchdogMs } = settings();
  const evaluation: Evaluation = {
    stage,
    status: 'completed',
    outputs: null,
    resources: [],
    invokes: [],
    rpc: [],
    errors: [],
  };
  const options = new Map<string, RecordedOptions>();
  const write = (status: Evaluation['status']): void => {
    for (const resource of evaluation.resources) {
      const recorded = options.get(`${resource.type}::${resource.name}`);
      if (recorded !== undefined) resource.options = recorded;
    }
    writeFileSync(out, JSON.stringify({ ...evaluation, status }));
  };
  const fail = (kind: string, error: unknown): void => {
    evaluation.errors.push({
      kind,
      name: error instanceof Error ? error.constructor.name : typeof error,
      message: error instanceof Error ? error.message : String(error),
    });
    // A throw inside an apply is only an unhandled rejection under mocks, and whatever waits
    // on that output waits forever: stop soon after the first one.
    setTimeout(() => {
      write('failed');
      process.exit(1);
    }, 200).unref();
  };
  process.on('unhandledRejection', (error) => {
    fail('unhandledRejection', error);
  });
  process.on('uncaughtException', (error) => {
    fail('uncaughtException', error);
  });
  setTimeout(() => {
    write('watchdog');
    process.exit(1);
  }, watchdogMs).unref();

  await pulumi.runtime.setMocks(
    {
      newResource({ type, name, inputs, custom = false, id }) {
        const revealed = reveal(inputs) as Record<string, unknown>;
        const read = id !== undefined && id !== '';
        const { id: createdId, ...state } = custom ? created(type, name, revealed) : { id: null };
        const resourceId = read ? id : typeof createdId === 'string' ? createdId : null;
        evaluation.resources.push({ type, name, custom, read, id: resourceId, inputs: revealed });
        if (!custom) return { id: undefined, state: {} };
        return { id: resourceId ?? undefined, state: { ...inputs, ...state } };
      },
      call({ token, inputs }) {
        evaluation.invokes.push(token);
        switch (token) {
          case 'aws:index/getPartition:getPartition':
            return {
              id: 'aws',
              partition: 'aws',
              dnsSuffix: 'amazonaws.com',
              reverseDnsPrefix: 'com.amazonaws',
            };
          case 'aws:index/getRegion:getRegion':
            return { id: REGION, name: REGION, region: REGION, endpoint: `ec2.${REGION}.amazonaws.com` };
          case 'aws:index/getCallerIdentity:getCallerIdentity':
            return {
              id: ACCOUNT,
              accountId: ACCOUNT,
              arn: `arn:aws:iam::${ACCOUNT}:user/evaluation`,
              userId: 'EVAL',
            };
          case 'aws:iam/getPolicyDocument:getPolicyDocument': {
            const json = policyDocument(inputs);
            return { ...inputs, id: 'policy', json, minifiedJson: json };
          }
          default:
            fail('invoke', new Error(`no mock for the invoke ${token}`));
            return {};
        }
      },
    },
    'pushline',
    stage,
    false,
  );

  const server = await startRpcServer(work, evaluation);
  try {
    evaluation.outputs = (await pulumi.runtime.runInPulumiStack(() =>
      program(() => {
        // Registered after SST's own transformations, so it sees the options they set.
        pulumi.runtime.registerStackTransformation(({ type, name, opts }) => {
          const recorded: RecordedOptions = {};
          if (opts.retainOnDelete !== undefined) recorded.retainOnDelete = opts.retainOnDelete;
          if (opts.protect !== undefined) recorded.protect = opts.protect;
          options.set(`${type}::${name}`, recorded);
          return undefined;
        });
      }),
    )) as Record<string, unknown> | null;
    evaluation.outputs = reveal(evaluation.outputs) as Record<string, unknown> | null;
    // Routes, mappings, policies and more are registered inside `apply`s: let them settle.
    await settle(pulumi, evaluation);
  } catch (error) {
    fail('run', error);
    await new Promise((resolve) => setTimeout(resolve, 300));
  } finally {
    server.close();
  }
  if (evaluation.errors.length > 0) {
    write('failed');
    process.exit(1);
  }
  write('completed');
  process.exit(0);
}

/** Waits until registrations are drained and no new resource has come for a few rounds. */
async function settle(pulumi: PulumiModule, evaluation: Evaluation): Promise<void> {
  let seen = -1;
  let quiet = 0;
  while (quiet < 3) {
    await pulumi.runtime.waitForRPCs();
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (evaluation.resources.length === seen) quiet += 1;
    else {
      seen = evaluation.resources.length;
      quiet = 0;
    }
  }
}

/** The two methods of the SST CLI's RPC server that a deploy of this config calls. */
async function startRpcServer(work: string, evaluation: Evaluation): Promise<Server> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const { method, params } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        method: string;
        params: [Record<string, unknown>];
      };
      const input = params[0];
      evaluation.rpc.push({ method, input: reveal(input) as Record<string, unknown> });
      let result: unknown = null;
      let error: string | null = null;
      if (method === 'Provider.Aws.Bootstrap') {
        result = {
          asset: 'pushline-evaluation-assets',
          assetEcrRegistryId: ACCOUNT,
          assetEcrUrl: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/assets`,
          state: 'pushline-evaluation-state',
          appsyncHttp: '',
          appsyncRealtime: '',
        };
      } else if (method === 'Runtime.Build') {
        // The real bundles are built and tested elsewhere (bundles.test.ts): SST only needs a
        // folder with the handler's file in it to zip.
        const handler = String(input.handler);
        const file = handler.slice(0, handler.lastIndexOf('.'));
        const outDir = join(work, 'build', String(input.functionID));
        mkdirSync(dirname(join(outDir, file)), { recursive: true });
        writeFileSync(join(outDir, `${file}.mjs`), 'export const handler = async () => ({});\n');
        result = { handler, out: outDir, errors: [], sourcemaps: [] };
      } else {
        error = `rpc: can't find method ${method}`;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ id: null, result, error }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the RPC server has no port');
  process.env.SST_SERVER = `http://127.0.0.1:${address.port}`;
  return server;
}
