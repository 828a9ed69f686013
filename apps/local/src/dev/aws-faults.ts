import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { closeServer, listen, readBody, urlHost } from '@pushline/adapters/system';
import { isPlainObject, parseJson } from '@pushline/core';

/** The AWS services of the dev stack. */
export type AwsService = 'dynamodb' | 'sqs';

/** One call a handler makes to DynamoDB or SQS, as the fault hook sees it. */
export interface AwsCall {
  readonly service: AwsService;
  /** The operation, from `X-Amz-Target`: `Query`, `PutItem`, `SendMessageBatch`, … */
  readonly operation: string;
  /** The request's JSON body (both clients speak the AWS JSON 1.0 protocol). */
  readonly input: Readonly<Record<string, unknown>>;
}

/**
 * A fault to inject into an {@link AwsCall}:
 * - `error`: the whole call fails with this status and exception name (the SDK then retries
 *   it as it would on AWS: throttling and 5xx are retried, with backoff);
 * - `failEntries` (SendMessageBatch only): the call goes through without the listed entry
 *   `Id`s, which the response reports as `Failed` with `SenderFault: false`, as SQS does
 *   when it could not store some messages of a batch.
 */
export type AwsFault =
  | { readonly error: { readonly statusCode: number; readonly type: string; readonly message?: string } }
  | { readonly failEntries: readonly string[] };

/** Decides, per call, whether to inject a fault; `undefined` lets the call through. */
export type AwsFaultHook = (call: AwsCall) => AwsFault | undefined;

/** A proxy in front of one local AWS peer. */
export interface AwsFaultProxy {
  readonly endpoint: string;
  close(): Promise<void>;
}

const TARGET_PREFIX: Readonly<Record<AwsService, string>> = {
  dynamodb: 'DynamoDB_20120810.',
  sqs: 'AmazonSQS.',
};

const ERROR_NAMESPACE: Readonly<Record<AwsService, string>> = {
  dynamodb: 'com.amazonaws.dynamodb.v20120810',
  sqs: 'com.amazonaws.sqs',
};

/**
 * Starts an HTTP proxy on `host` (a free port) in front of `target` (dynalite or local-aws-sqs)
 * that asks `hook` about every call and answers faults the real peers cannot produce:
 * throttling, 5xx, partially failed batches. The handlers' clients are pointed at it, so a
 * fault travels through the real SDK (its error parsing and retries) into the adapters.
 */
export async function startAwsFaultProxy(
  service: AwsService,
  target: string,
  hook: AwsFaultHook,
  host = '127.0.0.1',
): Promise<AwsFaultProxy> {
  const server: Server = createServer((incoming, outgoing) => {
    void readBody(incoming)
      .then(async (body = Buffer.alloc(0)) => {
        const amzTarget = String(incoming.headers['x-amz-target'] ?? '');
        const operation = amzTarget.startsWith(TARGET_PREFIX[service])
          ? amzTarget.slice(TARGET_PREFIX[service].length)
          : amzTarget;
        const parsed = parseJson(body.toString('utf8'));
        const input = parsed.ok && isPlainObject(parsed.value) ? parsed.value : null;
        const fault = input === null ? undefined : hook({ service, operation, input });
        const answer =
          fault === undefined
            ? await forward(target, incoming, body)
            : 'error' in fault
              ? errorAnswer(service, fault.error)
              : await withFailedEntries(target, incoming, input ?? {}, fault.failEntries);
        outgoing.writeHead(answer.status, answer.headers);
        outgoing.end(answer.body);
      })
      .catch((error: unknown) => {
        outgoing.writeHead(502, { 'content-type': 'text/plain' });
        outgoing.end(`fault proxy: ${error instanceof Error ? error.message : String(error)}`);
      });
  });
  const port = await listen(server, 0, host);
  return {
    endpoint: `http://${urlHost(host)}:${port}`,
    close: () => closeServer(server),
  };
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

function errorAnswer(
  service: AwsService,
  error: { statusCode: number; type: string; message?: string },
): Answer {
  const message = error.message ?? `injected ${error.type}`;
  return {
    status: error.statusCode,
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-errortype': error.type,
      // SQS's JSON protocol carries the query-compatible code too.
      ...(service === 'sqs' ? { 'x-amzn-query-error': `${error.type};Receiver` } : {}),
    },
    body: Buffer.from(JSON.stringify({ __type: `${ERROR_NAMESPACE[service]}#${error.type}`, message })),
  };
}

/** Sends the batch without the failing entries, and reports those as failed beside the rest. */
async function withFailedEntries(
  target: string,
  incoming: IncomingMessage,
  input: Readonly<Record<string, unknown>>,
  failing: readonly string[],
): Promise<Answer> {
  const entries = Array.isArray(input.Entries) ? (input.Entries as { Id?: unknown }[]) : [];
  const failed = entries.filter((entry) => failing.includes(String(entry.Id)));
  const kept = entries.filter((entry) => !failing.includes(String(entry.Id)));
  const failedEntries = failed.map((entry) => ({
    Id: entry.Id,
    SenderFault: false,
    Code: 'InternalError',
    Message: 'injected: the message was not stored',
  }));
  if (kept.length === 0) {
    return {
      status: 200,
      headers: { 'content-type': 'application/x-amz-json-1.0' },
      body: Buffer.from(JSON.stringify({ Successful: [], Failed: failedEntries })),
    };
  }
  const answer = await forward(target, incoming, Buffer.from(JSON.stringify({ ...input, Entries: kept })));
  if (answer.status !== 200) return answer;
  const response = JSON.parse(answer.body.toString('utf8')) as { Failed?: unknown[] };
  const merged = { ...response, Failed: [...(response.Failed ?? []), ...failedEntries] };
  return { ...answer, body: Buffer.from(JSON.stringify(merged)) };
}

function forward(target: string, incoming: IncomingMessage, body: Buffer): Promise<Answer> {
  const headers = { ...incoming.headers, 'content-length': String(body.length) };
  delete headers.host;
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      new URL(incoming.url ?? '/', target),
      { method: incoming.method ?? 'POST', headers },
      (response) => {
        void readBody(response).then((responseBody = Buffer.alloc(0)) => {
          const responseHeaders: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers)) {
            if (value !== undefined && name !== 'content-length' && name !== 'transfer-encoding') {
              responseHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
            }
          }
          resolve({ status: response.statusCode ?? 502, headers: responseHeaders, body: responseBody });
        }, reject);
      },
    );
    outgoing.once('error', reject);
    outgoing.end(body);
  });
}
