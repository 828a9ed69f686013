import { parseNotifyConnectionMessage, parseNotifyUserMessage } from '@pushline/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROPERTY_PARAMETERS } from '../support/fast-check.js';

type Parser = typeof parseNotifyUserMessage | typeof parseNotifyConnectionMessage;

const MALFORMED = 'MALFORMED_QUEUE_MESSAGE';

function codeOf(parsed: ReturnType<Parser>): string | null {
  return parsed.ok ? null : parsed.error.code;
}

describe('parseNotifyUserMessage', () => {
  it('parses a user id and data', () => {
    expect(parseNotifyUserMessage('{"userId":"1234","data":{"kind":"export.ready"}}')).toStrictEqual({
      ok: true,
      value: { userId: '1234', data: { kind: 'export.ready' } },
    });
  });

  it('keeps an id when one is given', () => {
    expect(parseNotifyUserMessage('{"userId":"1234","data":1,"id":"n-1"}')).toStrictEqual({
      ok: true,
      value: { userId: '1234', data: 1, id: 'n-1' },
    });
  });

  it('accepts null data', () => {
    expect(parseNotifyUserMessage('{"userId":"1234","data":null}')).toStrictEqual({
      ok: true,
      value: { userId: '1234', data: null },
    });
  });

  it('ignores unknown fields', () => {
    expect(
      parseNotifyUserMessage('{"userId":"u","data":[],"priority":"high","connectionId":"c"}'),
    ).toStrictEqual({
      ok: true,
      value: { userId: 'u', data: [] },
    });
  });

  it('accepts a user id of 256 characters and refuses one of 257', () => {
    expect(parseNotifyUserMessage(JSON.stringify({ userId: 'u'.repeat(256), data: 1 })).ok).toBe(true);
    expect(codeOf(parseNotifyUserMessage(JSON.stringify({ userId: 'u'.repeat(257), data: 1 })))).toBe(
      MALFORMED,
    );
  });

  it.each([
    ['text that is not JSON', 'userId=1234'],
    ['an empty body', ''],
    ['an array', '[{"userId":"1234","data":1}]'],
    ['null', 'null'],
    ['a number', '7'],
    ['a string', '"1234"'],
    ['no userId', '{"data":1}'],
    ['a numeric userId', '{"userId":1234,"data":1}'],
    ['a null userId', '{"userId":null,"data":1}'],
    ['an empty userId', '{"userId":"","data":1}'],
    ['a userId with a NUL', '{"userId":"a\\u0000b","data":1}'],
    ['a userId with a newline', '{"userId":"a\\nb","data":1}'],
    ['a userId with U+001F', '{"userId":"a\\u001fb","data":1}'],
    ['a userId with DEL', '{"userId":"a\\u007fb","data":1}'],
    ['no data', '{"userId":"1234"}'],
    ['a numeric id', '{"userId":"1234","data":1,"id":5}'],
    ['a null id', '{"userId":"1234","data":1,"id":null}'],
    ['an empty id', '{"userId":"1234","data":1,"id":""}'],
    ['an id with a tab', '{"userId":"1234","data":1,"id":"a\\tb"}'],
  ])('refuses %s with MALFORMED_QUEUE_MESSAGE', (_, body) => {
    const parsed = parseNotifyUserMessage(body);
    expect(codeOf(parsed)).toBe(MALFORMED);
    expect(parsed.ok ? '' : parsed.error.message).not.toBe('');
  });
});

describe('parseNotifyConnectionMessage', () => {
  it('parses a connection id and data', () => {
    expect(parseNotifyConnectionMessage('{"connectionId":"f97yeeMZDoECGqg=","data":"ready"}')).toStrictEqual({
      ok: true,
      value: { connectionId: 'f97yeeMZDoECGqg=', data: 'ready' },
    });
  });

  it('keeps an id, accepts null data and ignores unknown fields', () => {
    expect(
      parseNotifyConnectionMessage('{"connectionId":"c","data":null,"id":"n","userId":"u"}'),
    ).toStrictEqual({
      ok: true,
      value: { connectionId: 'c', data: null, id: 'n' },
    });
  });

  it('accepts ids of 128 characters and refuses ones of 129', () => {
    const at = 'c'.repeat(128);
    const over = 'c'.repeat(129);
    expect(parseNotifyConnectionMessage(JSON.stringify({ connectionId: at, data: 1, id: at })).ok).toBe(true);
    expect(codeOf(parseNotifyConnectionMessage(JSON.stringify({ connectionId: over, data: 1 })))).toBe(
      MALFORMED,
    );
    expect(
      codeOf(parseNotifyConnectionMessage(JSON.stringify({ connectionId: at, data: 1, id: over }))),
    ).toBe(MALFORMED);
  });

  it.each([
    ['text that is not JSON', '{connectionId:"c"}'],
    ['an array', '[]'],
    ['null', 'null'],
    ['a number', '0'],
    ['no connectionId', '{"data":1}'],
    ['a numeric connectionId', '{"connectionId":7,"data":1}'],
    ['an empty connectionId', '{"connectionId":"","data":1}'],
    ['a connectionId with a carriage return', '{"connectionId":"c\\r","data":1}'],
    ['a connectionId with DEL', '{"connectionId":"c\\u007f","data":1}'],
    ['no data', '{"connectionId":"c"}'],
    ['an object id', '{"connectionId":"c","data":1,"id":{}}'],
    ['an id with a NUL', '{"connectionId":"c","data":1,"id":"\\u0000"}'],
  ])('refuses %s with MALFORMED_QUEUE_MESSAGE', (_, body) => {
    expect(codeOf(parseNotifyConnectionMessage(body))).toBe(MALFORMED);
  });
});

describe('queue message parsers', () => {
  it('never throw, on any text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.json()), (body) => {
        for (const parse of [parseNotifyUserMessage, parseNotifyConnectionMessage]) {
          const parsed = parse(body);
          expect(parsed.ok ? 'ok' : parsed.error.code).toMatch(/^(ok|MALFORMED_QUEUE_MESSAGE)$/);
        }
      }),
      PROPERTY_PARAMETERS,
    );
  });

  it('give back the data as sent, for any JSON data', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (data) => {
        const expected = JSON.parse(JSON.stringify(data)) as unknown;
        const user = parseNotifyUserMessage(JSON.stringify({ userId: 'u', data }));
        const connection = parseNotifyConnectionMessage(JSON.stringify({ connectionId: 'c', data }));
        expect(user).toStrictEqual({ ok: true, value: { userId: 'u', data: expected } });
        expect(connection).toStrictEqual({ ok: true, value: { connectionId: 'c', data: expected } });
      }),
      PROPERTY_PARAMETERS,
    );
  });
});
