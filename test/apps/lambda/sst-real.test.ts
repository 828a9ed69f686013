// sst.config.ts as SST 4.17 builds it: the real components evaluated under Pulumi's mocks (one
// child process per evaluation, sst-real/evaluate.ts), and the graph they registered checked
// against the tables of sst-real/checks.ts. The same checks run on a copy of the config with
// known breaks, to show each one catches what it is there to catch.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENV } from '@pushline/lambda/config';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHECKS, type Variant } from './sst-real/checks.js';
import {
  checkPlatform,
  type EvaluateOptions,
  type EvaluationRun,
  prepareSst,
  SST_VERSION,
} from './sst-real/evaluate.js';

const TOKEN_SECRET = 'a-token-secret-of-at-least-32-bytes!';
const JWKS_URL = 'https://idp.example/.well-known/jwks.json';

const VARIANTS: readonly Variant[] = [
  { label: 'production', stage: 'production', env: {}, secrets: { TokenSecret: TOKEN_SECRET } },
  {
    label: 'production with a JWKS URL',
    stage: 'production',
    env: {
      [ENV.jwksUrl]: JWKS_URL,
      [ENV.tokenIssuer]: 'https://idp.example/',
      [ENV.tokenAudience]: 'pushline',
    },
    secrets: {},
  },
  { label: 'dev', stage: 'dev', env: { PUSHLINE_DEV_STAGES: 'dev' }, secrets: { TokenSecret: TOKEN_SECRET } },
  // A stage whose name suggests neither: production mode, since dev mode was not asked for.
  { label: 'staging', stage: 'staging', env: {}, secrets: { TokenSecret: TOKEN_SECRET } },
];

/**
 * Breaks applied together to one copy of sst.config.ts (production), each with the problems
 * the checks must then report, by check name. A check not named here must still pass.
 */
const BREAKS: readonly {
  readonly what: string;
  readonly from: string;
  readonly to: string;
  readonly caught: Readonly<Record<string, readonly string[]>>;
}[] = [
  {
    what: 'a two-way route without its RouteResponse',
    from: 'if (replies) routeResponse(key, route);',
    to: "if (replies && key !== 'ping') routeResponse(key, route);",
    caught: { 'two-way': ['ping has 0 RouteResponses'] },
  },
  {
    what: 'a queue without a dead-letter queue, and a visibility timeout under its subscriber’s six timeouts',
    from: '[name, queueWithDlq(name)]',
    to: "[name, name === 'Deadlines' ? (new sst.aws.Queue('DeadlinesDlq'), new sst.aws.Queue('Deadlines', { visibilityTimeout: '60 seconds' })) : queueWithDlq(name)]",
    caught: {
      redrive: ['Deadlines has no redrive policy'],
      visibility: ['Deadlines: visibility 60 s < 6 × 20 s'],
      // The dashboard reads the dead-letter queues from the redrive policies, so it follows.
      dashboard: [
        'the dashboard does not show the depth of DeadlinesDlq',
        "the dashboard shows the depth of ''",
      ],
    },
  },
  {
    what: 'ManageConnections on a function that does not push, against its entry’s grants',
    from: 'grantsOf(entry).map(',
    to: "[...grantsOf(entry), ...(entry === 'disconnect' ? [{ resource: '@connections' as const, actions: ['execute-api:ManageConnections'] }] : [])].map(",
    caught: {
      'manage-connections': ['disconnect may ManageConnections but does not push'],
      'least-privilege': [
        'disconnect: execute-api:ManageConnections on ["arn:aws:execute-api:us-east-1:000000000000:wsapi/*/*/@connections/*"]',
        'disconnect: execute-api:ManageConnections on arn:aws:execute-api:us-east-1:000000000000:wsapi/*/*/@connections/*, which no need of it configures (PUSHLINE_MANAGEMENT_ENDPOINT)',
      ],
    },
  },
  {
    what: 'a grant on the by-user index wired to the whole connections table',
    from: 'ConnectionsByUser: $interpolate`${connections.arn}/index/${CONNECTIONS_TABLE.byUserIndex.name}`,',
    to: 'ConnectionsByUser: connections.arn,',
    caught: {
      'least-privilege': [
        'notify-user: dynamodb:Query on ["arn:aws:dynamodb:us-east-1:000000000000:table/ConnectionsTable"]',
      ],
    },
  },
  {
    what: 'a grant wired to every resource',
    from: 'Exports: exportsTable.arn,',
    to: "Exports: '*',",
    caught: {
      'least-privilege': [
        'create-export: dynamodb:PutItem on ["*"]',
        'create-export: dynamodb:PutItem on *, not one resource of this deploy',
        'get-export: dynamodb:GetItem on ["*"]',
        'get-export: dynamodb:GetItem on *, not one resource of this deploy',
      ],
    },
  },
  {
    what: '$connect without its authorizer in connect mode',
    from: '{ auth: { lambda: authorizer.id } }',
    to: 'undefined',
    caught: {
      authorizer: ['$connect has no CUSTOM authorization', '$connect does not use the authorizer'],
    },
  },
  {
    what: 'POST /token outside dev mode',
    from: 'if (servesTokens || !route.devOnly)',
    to: 'if (route.entry.length > 0)',
    caught: {
      'http-routes': [
        'HTTP routes are GET /exports/{id}, POST /exports, POST /token, expected GET /exports/{id}, POST /exports',
      ],
      functions: [
        'entries deployed: authorize, authorizer, connect, create-export, deadline, default, disconnect, get-export, notify-connection, notify-user, ping, resume, token',
      ],
    },
  },
  {
    what: 'subscribers without partial batch responses',
    from: 'partialResponses: QUEUE_CONSUMER.partialResponses',
    to: 'partialResponses: false',
    caught: {
      'event-source-mappings': [
        'NotifyUser does not report batch item failures',
        'NotifyConnection does not report batch item failures',
        'Deadlines does not report batch item failures',
      ],
    },
  },
  {
    what: 'a function without a variable its entry requires',
    from: '[ENV.managementEndpoint]: ws.managementEndpoint,',
    to: '',
    caught: {
      environment: [
        "notify-connection: invalid configuration of 'notify-connection':\n  - PUSHLINE_MANAGEMENT_ENDPOINT is required",
        "deadline: invalid configuration of 'deadline':\n  - PUSHLINE_MANAGEMENT_ENDPOINT is required",
        "notify-user: invalid configuration of 'notify-user':\n  - PUSHLINE_MANAGEMENT_ENDPOINT is required when PUSHLINE_DIRECT_PUSH_LIMIT is above 0",
      ],
    },
  },
  {
    what: 'a delivery metric missing from the dashboard',
    from: '                DELIVERY_METRICS.DEAD_LETTERED,\n',
    to: '',
    caught: { dashboard: ['the dashboard does not show MessagesDeadLettered'] },
  },
  {
    what: 'a table without its TTL attribute',
    from: '      ttl: EXPORTS_TABLE.ttlAttribute,\n',
    to: '',
    caught: { tables: ['Exports TTL undefined'] },
  },
  {
    what: 'a transform that changes how the WebSocket API selects routes',
    from: '      transform: {\n        stage: {',
    to: "      transform: {\n        api: { routeSelectionExpression: '$request.body.type' },\n        stage: {",
    caught: { 'route-selection': ['routeSelectionExpression is $request.body.type'] },
  },
  {
    what: 'a second resource with the type and name of another (Pulumi would refuse the URN)',
    from: "const http = new sst.aws.ApiGatewayV2('Http');",
    to: "new aws.apigatewayv2.RouteResponse('DefaultRouteResponse', { apiId: ws.nodes.api.id, routeId: 'elsewhere', routeResponseKey: '$default' }); const http = new sst.aws.ApiGatewayV2('Http');",
    caught: {
      unique: ['aws:apigatewayv2/routeResponse:RouteResponse DefaultRouteResponse registered 2 times'],
      'two-way': ['DefaultRouteResponse points at no WebSocket route'],
    },
  },
  {
    what: 'production tables removed with the app',
    from: "removal: input.stage === 'production' ? 'retain' : 'remove',",
    to: "removal: 'remove',",
    caught: {
      retain: [
        'ExportsTable retainOnDelete is undefined',
        'ConnectionsTable retainOnDelete is undefined',
        'NotificationsTable retainOnDelete is undefined',
      ],
    },
  },
];

const breakAll = (source: string): string =>
  BREAKS.reduce((patched, { what, from, to }) => {
    if (!patched.includes(from)) throw new Error(`break "${what}": sst.config.ts no longer contains ${from}`);
    return patched.replace(from, to);
  }, source);

/** Runs jobs two at a time (the machine has two cores; each child is one busy process). */
async function twoAtATime<T>(jobs: readonly (() => Promise<T>)[]): Promise<T[]> {
  const results = new Array<T>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await jobs[index]!();
    }
  };
  await Promise.all([worker(), worker()]);
  return results;
}

const runs = new Map<string, EvaluationRun>();
const options = (variant: Variant): EvaluateOptions => ({
  stage: variant.stage,
  env: variant.env,
  secrets: variant.secrets,
});

beforeAll(async () => {
  // Fails here, loudly, when `sst install` has not run or installed another version.
  checkPlatform();
  const [config, broken] = await Promise.all([prepareSst(), prepareSst(breakAll)]);
  try {
    const jobs: [string, () => Promise<EvaluationRun>][] = [
      ['missing secret', () => config.evaluate({ stage: 'production' })],
      ['broken', () => broken.evaluate(options(VARIANTS[0]!))],
      ...VARIANTS.map((variant): [string, () => Promise<EvaluationRun>] => [
        variant.label,
        () => config.evaluate(options(variant)),
      ]),
    ];
    const results = await twoAtATime(jobs.map(([, job]) => job));
    jobs.forEach(([label], index) => runs.set(label, results[index]!));
  } finally {
    await Promise.all([config.dispose(), broken.dispose()]);
  }
}, 240_000);

const run = (label: string): EvaluationRun => {
  const found = runs.get(label);
  if (found === undefined) throw new Error(`no evaluation ${label}`);
  return found;
};

describe('sst.config.ts with SST’s real components, under Pulumi mocks', () => {
  it('fails, naming the fix, when .sst/platform is missing or is another SST version', async () => {
    const platform = await mkdtemp(join(tmpdir(), 'pushline-platform-'));
    try {
      expect(() => {
        checkPlatform(platform);
      }).toThrow(/SST's platform is missing at .*: run `pnpm typecheck`/);
      await mkdir(join(platform, 'src', 'auto'), { recursive: true });
      await writeFile(join(platform, 'src', 'auto', 'run.ts'), '');
      await writeFile(join(platform, 'version'), '4.18.0\n');
      expect(() => {
        checkPlatform(platform);
      }).toThrow(
        `.sst/platform is SST 4.18.0, but test/apps/lambda/sst-real/ re-does the CLI steps of SST ${SST_VERSION}`,
      );
      await writeFile(join(platform, 'version'), SST_VERSION);
      expect(() => {
        checkPlatform(platform);
      }).not.toThrow();
    } finally {
      await rm(platform, { recursive: true, force: true });
    }
  });

  it.each(VARIANTS.map((variant) => [variant.label, variant] as const))(
    'evaluates %s to completion, with no error',
    (label) => {
      const { graph, exitCode } = run(label);
      expect(graph.evaluation.errors).toEqual([]);
      expect([graph.evaluation.status, exitCode]).toEqual(['completed', 0]);
      expect(graph.evaluation.resources.length).toBeGreaterThan(100);
    },
  );

  describe.each(VARIANTS.map((variant) => [variant.label, variant] as const))('%s', (label, variant) => {
    it.each(CHECKS.map((check) => [check.name, check] as const))('%s', (_name, check) => {
      expect(check.run(run(label).graph, variant)).toEqual([]);
    });
  });

  // sst.config.ts checks the secret itself before SST resolves it, so the message names the
  // command to run (SST's own would be "Set a value for TokenSecret with `sst secret set …`").
  it('refuses a production deploy with neither a JWKS URL nor TokenSecret, naming the command to run', () => {
    const { graph, exitCode } = run('missing secret');
    expect(exitCode).toBe(1);
    expect(graph.evaluation.status).toBe('failed');
    const distinct = [...new Set(graph.evaluation.errors.map((error) => `${error.name}: ${error.message}`))];
    expect(distinct).toHaveLength(1);
    expect(distinct[0]).toContain(
      "Error: sst.config.ts: stage 'production' (production mode) cannot be deployed:",
    );
    expect(distinct[0]).toContain(
      "the secret TokenSecret is not set for stage 'production': run `npx sst secret set TokenSecret",
    );
    expect(graph.evaluation.resources.filter((resource) => resource.custom)).toEqual([]);
  });

  it('outputs the URLs a client and a backend need', () => {
    expect(run('production').graph.evaluation.outputs).toEqual({
      websocketUrl: 'wss://wsapi.execute-api.us-east-1.amazonaws.com/$default',
      restUrl: 'https://httpapi.execute-api.us-east-1.amazonaws.com',
      managementEndpoint: 'https://wsapi.execute-api.us-east-1.amazonaws.com/$default',
      notifyUserQueueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/NotifyUserQueue',
      authMode: 'connect',
      mode: 'production',
      _protect: true,
    });
    expect(run('dev').graph.evaluation.outputs).toMatchObject({ authMode: 'either', _protect: false });
  });

  it('catches each break of a broken copy of sst.config.ts with the check there for it, and only there', () => {
    const { graph } = run('broken');
    expect(graph.evaluation.errors).toEqual([]);
    const expected: Record<string, string[]> = {};
    for (const check of CHECKS) expected[check.id] = [];
    for (const { caught } of BREAKS) {
      for (const [id, problems] of Object.entries(caught)) {
        if (!(id in expected)) throw new Error(`no check ${id}`);
        expected[id]!.push(...problems);
      }
    }
    const reported = Object.fromEntries(CHECKS.map((check) => [check.id, check.run(graph, VARIANTS[0]!)]));
    for (const id of Object.keys(expected)) expected[id]!.sort();
    for (const id of Object.keys(reported)) reported[id]!.sort();
    expect(reported).toEqual(expected);
  });
});
