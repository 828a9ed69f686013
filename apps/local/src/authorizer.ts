import type { IncomingHttpHeaders } from 'node:http';
import { isPlainObject } from '@pushline/core';

/** The verdict on an authorizer's output, before the `$connect` integration runs. */
export type AuthorizerVerdict =
  | { readonly kind: 'allow'; readonly principalId: string; readonly context: Record<string, string> }
  | { readonly kind: 'deny' }
  | { readonly kind: 'malformed'; readonly reason: string };

/** Largest authorizer result API Gateway accepts (8 KB, D-QUOTA). */
const MAX_AUTHORIZER_RESULT_BYTES = 8 * 1024;

const QUERY_SOURCE = 'route.request.querystring.';
const HEADER_SOURCE = 'route.request.header.';
const STAGE_SOURCE = 'stageVariables.';

/** Throws at start-up on an identity source this gateway cannot evaluate. */
export function checkIdentitySources(sources: readonly string[]): void {
  for (const source of sources) {
    const known = [QUERY_SOURCE, HEADER_SOURCE, STAGE_SOURCE].some(
      (prefix) => source.startsWith(prefix) && source.length > prefix.length,
    );
    if (!known) {
      throw new Error(
        `unsupported identity source '${source}': use route.request.querystring.X, route.request.header.X or stageVariables.X`,
      );
    }
  }
}

/**
 * Tells whether every identity source is present and non-empty. API Gateway answers 401
 * without invoking the authorizer otherwise (IdentitySource in the apigatewayv2 reference).
 */
export function identitySourcesPresent(
  sources: readonly string[],
  query: URLSearchParams,
  headers: IncomingHttpHeaders,
  stageVariables: Readonly<Record<string, string>>,
): boolean {
  return sources.every((source) => {
    let value: string | readonly string[] | undefined;
    if (source.startsWith(QUERY_SOURCE)) value = query.getAll(source.slice(QUERY_SOURCE.length)).at(-1);
    else if (source.startsWith(HEADER_SOURCE))
      value = headers[source.slice(HEADER_SOURCE.length).toLowerCase()];
    else value = stageVariables[source.slice(STAGE_SOURCE.length)];
    if (Array.isArray(value)) return value.some((v) => v !== '');
    return typeof value === 'string' && value !== '';
  });
}

/**
 * Checks an authorizer's output and evaluates its policy against the `$connect` method ARN:
 * an explicit Deny wins, then an Allow must cover the ARN, else the connection is denied.
 * Context values must be strings, numbers or booleans and are stringified, as API Gateway does.
 */
export function judgeAuthorizerOutput(output: unknown, methodArn: string): AuthorizerVerdict {
  if (!isPlainObject(output)) return { kind: 'malformed', reason: 'output is not an object' };
  let size: number;
  try {
    size = Buffer.byteLength(JSON.stringify(output), 'utf8');
  } catch {
    return { kind: 'malformed', reason: 'output is not serialisable' };
  }
  if (size > MAX_AUTHORIZER_RESULT_BYTES) return { kind: 'malformed', reason: 'output exceeds 8 KB' };
  const { principalId, policyDocument, context } = output;
  if (typeof principalId !== 'string' && typeof principalId !== 'number') {
    return { kind: 'malformed', reason: 'principalId is missing' };
  }
  if (!isPlainObject(policyDocument) || !Array.isArray(policyDocument.Statement)) {
    return { kind: 'malformed', reason: 'policyDocument.Statement is missing' };
  }
  const stringified: [string, string][] = [];
  if (context !== undefined && context !== null) {
    if (!isPlainObject(context)) return { kind: 'malformed', reason: 'context is not an object' };
    for (const [key, value] of Object.entries(context)) {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        return { kind: 'malformed', reason: `context.${key} is not a string, number or boolean` };
      }
      stringified.push([key, String(value)]);
    }
  }
  let allowed = false;
  for (const statement of policyDocument.Statement as unknown[]) {
    if (!isPlainObject(statement)) return { kind: 'malformed', reason: 'a statement is not an object' };
    const effect = statement.Effect;
    if (effect !== 'Allow' && effect !== 'Deny') return { kind: 'malformed', reason: 'bad Effect' };
    const actions = listOf(statement.Action);
    const resources = listOf(statement.Resource);
    if (actions === undefined || resources === undefined) {
      return { kind: 'malformed', reason: 'Action and Resource must be strings or string arrays' };
    }
    const covers =
      actions.some((action) => globMatches(action, 'execute-api:Invoke')) &&
      resources.some((resource) => globMatches(resource, methodArn));
    if (!covers) continue;
    if (effect === 'Deny') return { kind: 'deny' };
    allowed = true;
  }
  if (!allowed) return { kind: 'deny' };
  return { kind: 'allow', principalId: String(principalId), context: Object.fromEntries(stringified) };
}

function listOf(value: unknown): readonly string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  return undefined;
}

/** IAM-style matching: `*` is any run of characters, `?` any one character; case-sensitive. */
export function globMatches(pattern: string, value: string): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's').test(value);
}
