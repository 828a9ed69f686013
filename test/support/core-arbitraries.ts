// Arbitraries for the core's property tests: ids, notification data and client frames.
import { MAX_PAYLOAD_BYTES } from '@pushline/core';
import fc from 'fast-check';

const idCharacters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=+/.@'.split('');

/** A valid user id: short, printable, sometimes non-ASCII. */
export const userIdArbitrary: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.string({ unit: fc.constantFrom(...idCharacters), minLength: 1, maxLength: 16 }),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }) },
);

/** Distinct valid user ids. */
export function userIdsArbitrary(minLength: number, maxLength: number): fc.Arbitrary<string[]> {
  return fc.uniqueArray(userIdArbitrary, { minLength, maxLength });
}

/** Notification data as it arrives from a queue: any JSON value (never `undefined`, never `-0`). */
export const notificationDataArbitrary: fc.Arbitrary<unknown> = fc
  .json({ maxDepth: 2 })
  .map((text) => JSON.parse(text) as unknown);

/** One UTF-16 code unit, lone surrogates included. */
export const codeUnitArbitrary: fc.Arbitrary<string> = fc
  .integer({ min: 0, max: 0xffff })
  .map((unit) => String.fromCharCode(unit));

/** Strings of raw UTF-16 code units, with lone and paired surrogates over-represented. */
export const utf16StringArbitrary: fc.Arbitrary<string> = fc.string({
  unit: fc.oneof(
    codeUnitArbitrary,
    fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit)),
    fc.constantFrom('\ud83d\ude00', '\ud800', '\udc00', 'é', '€', 'a', '\u0000', '\u07ff', '\u0800'),
  ),
  maxLength: 40,
});

/** Placeholder that a test replaces with a token its verifier issued (see {@link clientTextArbitrary}). */
export const VALID_TOKEN = '@@valid-token@@';

const actionNameArbitrary = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('ping', 'authorize', 'whoami', 'explode') },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', 'Ping', 'constructor', '__proto__', 'toString', 'x'.repeat(200)),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
);

const fieldValueArbitrary = fc.oneof(
  fc.constant(VALID_TOKEN),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  utf16StringArbitrary,
  fc.jsonValue({ maxDepth: 2 }),
);

/** A client frame that is a JSON object with an `action` (any JSON, usually a string). */
const actionFrameArbitrary: fc.Arbitrary<string> = fc
  .record(
    {
      action: fc.oneof(
        { weight: 6, arbitrary: actionNameArbitrary },
        { weight: 1, arbitrary: fc.jsonValue() },
      ),
      name: fieldValueArbitrary,
      token: fieldValueArbitrary,
      extra: fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
    },
    { requiredKeys: ['action'] },
  )
  .map(({ extra, ...fields }) => JSON.stringify({ ...extra, ...fields }));

/** Text built from JSON tokens: often almost a frame, rarely valid. */
const jsonIshArbitrary: fc.Arbitrary<string> = fc
  .array(
    fc.constantFrom(
      '{',
      '}',
      '[',
      ']',
      ':',
      ',',
      ' ',
      '"action"',
      '"ping"',
      '"authorize"',
      '"whoami"',
      '"name"',
      '"token"',
      `"${VALID_TOKEN}"`,
      'null',
      'true',
      '1e999',
      '-0',
      '"\\ud800"',
      '"\\u0000"',
      '"',
      '\\',
    ),
    { maxLength: 24 },
  )
  .map((parts) => parts.join(''));

/**
 * Frames around the 128 KiB limit: a ping whose name is one character repeated, so that
 * multi-byte characters and lone surrogates straddle the limit.
 */
const hugeFrameArbitrary: fc.Arbitrary<string> = fc
  .record({
    character: fc.constantFrom('a', 'é', '€', '\ud83d\ude00', '\ud800', '\\u0000', '"'),
    bytes: fc.integer({ min: MAX_PAYLOAD_BYTES - 64, max: MAX_PAYLOAD_BYTES + 64 }),
    action: fc.constantFrom('ping', 'whoami', 'nope'),
  })
  .map(({ character, bytes, action }) => {
    const head = `{"action":"${action}","name":"`;
    const perCharacter = new TextEncoder().encode(character).length;
    const count = Math.max(0, Math.floor((bytes - head.length - 2) / perCharacter));
    return `${head}${character.repeat(count)}"}`;
  });

/** Anything a client may send as a text frame. */
export const clientTextArbitrary: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 2, arbitrary: utf16StringArbitrary },
  { weight: 3, arbitrary: jsonIshArbitrary },
  { weight: 2, arbitrary: fc.json() },
  { weight: 6, arbitrary: actionFrameArbitrary },
  { weight: 1, arbitrary: hugeFrameArbitrary },
);
