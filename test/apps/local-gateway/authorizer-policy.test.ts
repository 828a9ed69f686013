// How the local gateway judges a Lambda authorizer's output against the $connect method ARN.
import { describe, expect, it } from 'vitest';
import { globMatches, judgeAuthorizerOutput } from '../../../apps/local/src/authorizer.js';

const ARN = 'arn:aws:execute-api:us-east-1:000000000000:pushlocal1/local/$connect';

function output(...statements: { Effect: string; Action?: unknown; Resource?: unknown }[]): unknown {
  return {
    principalId: 'u',
    policyDocument: {
      Version: '2012-10-17',
      Statement: statements.map((s) => ({ Action: 'execute-api:Invoke', Resource: ARN, ...s })),
    },
  };
}

describe('authorizer policy evaluation', () => {
  it('allows when an Allow covers the ARN, with wildcards and lists', () => {
    for (const resource of [
      ARN,
      '*',
      'arn:aws:execute-api:*:*:pushlocal1/*',
      ['arn:x', 'arn:aws:execute-api:us-east-1:000000000000:pushlocal1/local/$conn?ct'],
    ]) {
      expect(judgeAuthorizerOutput(output({ Effect: 'Allow', Resource: resource }), ARN).kind).toBe('allow');
    }
    for (const action of ['execute-api:*', '*', ['s3:GetObject', 'execute-api:Invoke']]) {
      expect(judgeAuthorizerOutput(output({ Effect: 'Allow', Action: action }), ARN).kind).toBe('allow');
    }
  });

  it('denies when an explicit Deny covers the ARN, even beside an Allow', () => {
    expect(
      judgeAuthorizerOutput(output({ Effect: 'Allow' }, { Effect: 'Deny', Resource: '*' }), ARN).kind,
    ).toBe('deny');
  });

  it('denies when no Allow covers the ARN or the action', () => {
    expect(judgeAuthorizerOutput(output({ Effect: 'Allow', Resource: `${ARN}x` }), ARN).kind).toBe('deny');
    expect(
      judgeAuthorizerOutput(output({ Effect: 'Allow', Action: 'execute-api:ManageConnections' }), ARN).kind,
    ).toBe('deny');
    expect(judgeAuthorizerOutput(output(), ARN).kind).toBe('deny');
  });

  it('calls malformed output what it is: bad Effect, non-string Resource, oversized results', () => {
    expect(judgeAuthorizerOutput(output({ Effect: 'Maybe' }), ARN).kind).toBe('malformed');
    expect(judgeAuthorizerOutput(output({ Effect: 'Allow', Resource: 42 }), ARN).kind).toBe('malformed');
    const huge = { ...(output({ Effect: 'Allow' }) as object), context: { blob: 'x'.repeat(9000) } };
    expect(judgeAuthorizerOutput(huge, ARN).kind).toBe('malformed');
  });

  it('stringifies context values and keeps a key named __proto__ as a plain key', () => {
    const verdict = judgeAuthorizerOutput(
      {
        ...(output({ Effect: 'Allow' }) as object),
        context: JSON.parse('{"n":1,"b":false,"__proto__":"p"}') as unknown,
      },
      ARN,
    );
    expect(verdict).toEqual({
      kind: 'allow',
      principalId: 'u',
      context: { n: '1', b: 'false', ['__proto__']: 'p' },
    });
    expect(verdict.kind === 'allow' && Object.getPrototypeOf(verdict.context)).toBe(Object.prototype);
  });

  it('matches globs literally apart from * and ?', () => {
    expect(globMatches('a.b', 'axb')).toBe(false);
    expect(globMatches('a*(b)', 'a--(b)')).toBe(true);
    expect(globMatches('a?c', 'abc')).toBe(true);
  });
});
