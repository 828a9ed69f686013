import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { buildLambdas, type BuiltHandler, LAMBDA_ROOT } from '@pushline/lambda/build';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The AWS SDK clients each handler's bundle imports (the runtime provides them; esbuild leaves them external). */
const SDK_CLIENTS: Record<string, string[]> = {
  authorizer: [],
  connect: ['client-dynamodb', 'client-sqs'],
  disconnect: ['client-dynamodb'],
  default: [],
  ping: [],
  authorize: ['client-dynamodb', 'client-sqs'],
  'notify-user': ['client-apigatewaymanagementapi', 'client-dynamodb', 'client-sqs'],
  resume: ['client-dynamodb'],
  'notify-connection': ['client-apigatewaymanagementapi', 'client-dynamodb'],
  deadline: ['client-apigatewaymanagementapi', 'client-dynamodb', 'client-sqs'],
  token: [],
  'create-export': ['client-dynamodb', 'client-sqs'],
  'get-export': ['client-dynamodb'],
};

/** The handlers that check or sign tokens, and so bundle jose. */
const WITH_JOSE = ['authorizer', 'connect', 'authorize', 'token', 'create-export', 'get-export'];

let outdir: string;
let built: Record<string, BuiltHandler>;

beforeAll(async () => {
  // dist/ is gitignored, so a fresh clone has none yet.
  await mkdir(join(LAMBDA_ROOT, 'dist'), { recursive: true });
  outdir = await mkdtemp(join(LAMBDA_ROOT, 'dist', 'entries-'));
  built = Object.fromEntries((await buildLambdas({ outdir })).map((handler) => [handler.name, handler]));
}, 60_000);

afterAll(() => rm(outdir, { recursive: true, force: true }));

describe('each handler bundle', () => {
  it('holds a bundle for every handler listed here', () => {
    expect(Object.keys(built).sort()).toEqual(Object.keys(SDK_CLIENTS).sort());
  });

  it.each(Object.entries(SDK_CLIENTS))(
    "'%s' imports only the AWS SDK clients its entry uses",
    async (name, clients) => {
      const text = await readFile(built[name]?.file ?? '', 'utf8');
      const imported = [
        ...new Set([...text.matchAll(/from\s*"@aws-sdk\/([^"]+)"/g)].map((match) => match[1])),
      ];
      expect(imported.sort()).toEqual(clients);
    },
  );

  it.each(Object.keys(SDK_CLIENTS))("'%s' bundles jose only if it checks or signs tokens", (name) => {
    expect((built[name]?.byPackage.jose ?? 0) > 0).toBe(WITH_JOSE.includes(name));
  });
});
