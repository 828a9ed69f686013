import {
  notificationPayload,
  errorFrame,
  exceedsUtf8Bytes,
  isPlainObject,
  MAX_PAYLOAD_BYTES,
  parseClientFrame,
  parseJson,
  serializeFrame,
  utf8ByteLength,
} from '@pushline/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeUnitArbitrary, utf16StringArbitrary } from '../support/core-arbitraries.js';
import { PROPERTY_PARAMETERS } from '../support/fast-check.js';

/** A ping frame of exactly `bytes` UTF-8 bytes, padded with `character` (plus ASCII to fill the rest). */
function frameOfBytes(bytes: number, character = 'a'): string {
  const head = '{"action":"ping","name":"';
  const tail = '"}';
  const characterBytes = Buffer.byteLength(character, 'utf8');
  const room = bytes - head.length - tail.length;
  const count = Math.floor(room / characterBytes);
  const text = `${head}${character.repeat(count)}${'a'.repeat(room - count * characterBytes)}${tail}`;
  expect(Buffer.byteLength(text, 'utf8')).toBe(bytes);
  return text;
}

describe('parseClientFrame', () => {
  it('accepts a JSON object with a string action and keeps every field', () => {
    expect(parseClientFrame('{"action":"ping","name":"Stepan","n":[1,{"x":null}]}')).toEqual({
      ok: true,
      value: { action: 'ping', name: 'Stepan', n: [1, { x: null }] },
    });
  });

  it('accepts an empty action name (Route answers it with UNKNOWN_ACTION)', () => {
    expect(parseClientFrame('{"action":""}')).toEqual({ ok: true, value: { action: '' } });
  });

  it.each([
    ['text that is not JSON', 'hello'],
    ['an empty frame', ''],
    ['truncated JSON', '{"action":"ping"'],
    ['JSON with a trailing comma', '{"action":"ping",}'],
  ])('refuses %s with MALFORMED_FRAME', (_, text) => {
    const parsed = parseClientFrame(text);
    expect(parsed).toEqual({
      ok: false,
      error: { code: 'MALFORMED_FRAME', message: 'frame is not valid JSON' },
    });
  });

  it.each([
    ['an array', '[{"action":"ping"}]'],
    ['null', 'null'],
    ['a number', '42'],
    ['a string', '"ping"'],
    ['a boolean', 'true'],
  ])('refuses %s with MALFORMED_FRAME', (_, text) => {
    expect(parseClientFrame(text)).toEqual({
      ok: false,
      error: { code: 'MALFORMED_FRAME', message: 'frame must be a JSON object' },
    });
  });

  it.each([
    ['no action', '{"name":"Stepan"}'],
    ['a numeric action', '{"action":1}'],
    ['a null action', '{"action":null}'],
    ['an object action', '{"action":{"name":"ping"}}'],
    ['an array action', '{"action":["ping"]}'],
    ['a boolean action', '{"action":true}'],
  ])('refuses an object with %s with MALFORMED_FRAME', (_, text) => {
    expect(parseClientFrame(text)).toEqual({
      ok: false,
      error: { code: 'MALFORMED_FRAME', message: "frame must have a string 'action'" },
    });
  });

  it('accepts a frame of exactly 131072 bytes', () => {
    expect(MAX_PAYLOAD_BYTES).toBe(131072);
    const parsed = parseClientFrame(frameOfBytes(131072));
    expect(parsed.ok).toBe(true);
  });

  it('refuses a frame of 131073 bytes with PAYLOAD_TOO_LARGE', () => {
    expect(parseClientFrame(frameOfBytes(131073))).toEqual({
      ok: false,
      error: {
        code: 'PAYLOAD_TOO_LARGE',
        message: 'frame of 131073 bytes exceeds the limit of 131072 bytes',
      },
    });
  });

  it.each([
    ['é (2 bytes)', 'é'],
    ['€ (3 bytes)', '€'],
    ['an emoji (4 bytes, 2 code units)', '\ud83d\ude00'],
    ['a lone surrogate (3 bytes as U+FFFD)', '\ud800'],
  ])('counts %s in UTF-8 bytes, not characters', (_, character) => {
    const atLimit = frameOfBytes(131072, character);
    const overLimit = frameOfBytes(131073, character);
    expect(atLimit.length).toBeLessThan(131072);
    expect(parseClientFrame(atLimit).ok).toBe(true);
    const refused = parseClientFrame(overLimit);
    expect(refused.ok ? null : refused.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('checks the size before the syntax, so oversized garbage is PAYLOAD_TOO_LARGE', () => {
    const refused = parseClientFrame('x'.repeat(131073));
    expect(refused.ok ? null : refused.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('never throws and answers only with its two codes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), utf16StringArbitrary, fc.json()), (text) => {
        const parsed = parseClientFrame(text);
        const verdict = parsed.ok
          ? typeof (JSON.parse(text) as { action: unknown }).action
          : parsed.error.code;
        expect(['string', 'MALFORMED_FRAME', 'PAYLOAD_TOO_LARGE']).toContain(verdict);
      }),
      PROPERTY_PARAMETERS,
    );
  });
});

describe('exceedsUtf8Bytes', () => {
  it('says whether the UTF-8 bytes are over the limit, around every boundary the length shortcut uses', () => {
    fc.assert(
      fc.property(
        fc.oneof(utf16StringArbitrary, fc.string({ unit: codeUnitArbitrary }), fc.string({ unit: 'binary' })),
        fc.integer({ min: -2, max: 2 }),
        fc.constantFrom('bytes', 'length', 'triple'),
        (text, offset, around) => {
          const base = { bytes: utf8ByteLength(text), length: text.length, triple: 3 * text.length }[around];
          const limit = Math.max(0, base + offset);
          expect(exceedsUtf8Bytes(text, limit)).toBe(Buffer.byteLength(text, 'utf8') > limit);
        },
      ),
      PROPERTY_PARAMETERS,
    );
  });
});

describe('utf8ByteLength', () => {
  it.each([
    ['', 0],
    ['a', 1],
    ['\u007f', 1],
    ['\u0080', 2],
    ['\u07ff', 2],
    ['\u0800', 3],
    ['\uffff', 3],
    ['\ud83d\ude00', 4],
    ['\ud800', 3],
    ['\udc00', 3],
    ['\udc00\ud800', 6],
    ['a\ud800', 4],
    ['\ud800a', 4],
  ])('counts %j as %i bytes', (text, bytes) => {
    expect(utf8ByteLength(text)).toBe(bytes);
  });

  it('equals Buffer.byteLength for any string of code points', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(utf8ByteLength(text)).toBe(Buffer.byteLength(text, 'utf8'));
      }),
      PROPERTY_PARAMETERS,
    );
  });

  it('equals Buffer.byteLength for any string of graphemes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(utf8ByteLength(text)).toBe(Buffer.byteLength(text, 'utf8'));
      }),
      PROPERTY_PARAMETERS,
    );
  });

  it('equals Buffer.byteLength for any UTF-16 string, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.oneof(utf16StringArbitrary, fc.string({ unit: codeUnitArbitrary })), (text) => {
        expect(utf8ByteLength(text)).toBe(Buffer.byteLength(text, 'utf8'));
      }),
      PROPERTY_PARAMETERS,
    );
  });
});

describe('frame helpers', () => {
  it('serializes a frame to its JSON text', () => {
    expect(serializeFrame({ type: 'pong', name: 'Stepan' })).toBe('{"type":"pong","name":"Stepan"}');
    expect(serializeFrame(errorFrame('UNKNOWN_ACTION', "action 'x' is not implemented"))).toBe(
      '{"type":"error","code":"UNKNOWN_ACTION","message":"action \'x\' is not implemented"}',
    );
  });

  it('parses JSON without throwing', () => {
    expect(parseJson('{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseJson('{')).toEqual({ ok: false });
  });

  it('tells plain objects from arrays, null and primitives', () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject([])).toBe(false);
    expect(isPlainObject(null)).toBe(false);
    expect(isPlainObject('x')).toBe(false);
    expect(isPlainObject(1)).toBe(false);
  });
});

describe('notificationPayload', () => {
  it('gives exactly the text JSON.stringify gives the notification frame, with or without a position', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.option(fc.record({ seq: fc.maxSafeNat(), epoch: fc.string({ maxLength: 64 }) }), {
          nil: undefined,
        }),
        fc.jsonValue(),
        (id, position, data) => {
          const frame = { type: 'notification' as const, id, ...position, data };
          const built = notificationPayload({ id, ...position, data });
          expect(built).toEqual({ ok: true, value: JSON.stringify(frame) });
          expect(notificationPayload({ id, ...position, data }, JSON.stringify(data))).toEqual(built);
        },
      ),
      PROPERTY_PARAMETERS,
    );
  });
});
