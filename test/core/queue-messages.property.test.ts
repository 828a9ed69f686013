// Fuzzing the queue-message parsers: any body, JSON or not, of any shape and size, gets a
// parsed message or MALFORMED_QUEUE_MESSAGE with a reason, never a throw, and a good message
// in a batch of bad ones is parsed as sent. Counts: bounded in `pnpm test`, 100,000 cases
// per property in `pnpm test:soak` (test/support/soak.ts).
import {
  MAX_ID_LENGTH,
  MAX_USER_ID_LENGTH,
  parseNotifyConnectionMessage,
  parseNotifyUserMessage,
} from '@pushline/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { soakCount, soakTimeout } from '../support/soak.js';

const RUNS = soakCount(1_000, 100_000);
const TIMEOUT_MS = soakTimeout(30_000, 600_000);

/** A field value of any JSON type, or missing. */
const anyValue = fc.oneof(
  fc.constant(undefined),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.jsonValue({ maxDepth: 2 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);

/**
 * 100 to 140 thousand UTF-16 units: a short generated piece (escapes, control characters,
 * astral and lone surrogates) repeated, so a case costs a `repeat`, not 100,000 generated
 * characters. The cut at `length` may split a surrogate pair, as a real producer's may.
 */
const hugeString = fc
  .record({
    piece: fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }),
    length: fc.integer({ min: 100_000, max: 140_000 }),
  })
  .map(({ piece, length }) => piece.repeat(Math.ceil(length / piece.length)).slice(0, length));

/** Huge values built once: over a frame's 128 KiB once serialised, in every costly shape. */
const prebuiltHugeData: readonly unknown[] = [
  'x'.repeat(131_073),
  { big: 'é'.repeat(70_000) },
  '\u0000"\\\n'.repeat(30_000),
  '\ud83d\ude00'.repeat(35_000),
  { lone: '\ud800'.repeat(25_000) },
  new Array<unknown>(20_000).fill({ a: [1, 'b', null] }),
];

/** `data` over the size of a frame: prebuilt, or a generated string, bare or inside an object. */
const hugeData = fc.oneof(
  fc.constantFrom(...prebuiltHugeData),
  hugeString,
  hugeString.map((s) => ({ big: s })),
);

/** Bodies shaped like queue messages, with every field possibly wrong, missing or extra. */
const messageLike = fc
  .record({
    userId: anyValue,
    connectionId: anyValue,
    // One case in twenty carries huge data: thousands of them in the soak run, without making
    // every case pay for serialising and parsing 140 KB.
    data: fc.oneof({ weight: 19, arbitrary: anyValue }, { weight: 1, arbitrary: hugeData }),
    id: anyValue,
    extra: anyValue,
  })
  .map((fields) => JSON.stringify(fields));

const anyBody = fc.oneof(
  messageLike,
  fc.string({ unit: 'binary', maxLength: 2_000 }),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
);

/** The rule the parsers document: 1 to `max` characters, none of them a control character. */
function isValidId(value: unknown, max: number): boolean {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) return false;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return false;
  }
  return true;
}

describe('queue-message parsers under fuzzing', { timeout: TIMEOUT_MS }, () => {
  it('answer every body with a message or MALFORMED_QUEUE_MESSAGE, and never throw', () => {
    fc.assert(
      fc.property(anyBody, (body) => {
        for (const parse of [parseNotifyUserMessage, parseNotifyConnectionMessage]) {
          const outcome = parse(body);
          const refusal = outcome.ok ? null : outcome.error;
          // The types promise the code; this checks what actually comes back at run time.
          expect(refusal?.code ?? 'MALFORMED_QUEUE_MESSAGE').toBe('MALFORMED_QUEUE_MESSAGE');
          expect(refusal === null || refusal.message.length > 0).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('accept exactly the bodies the protocol documents, with data as sent', () => {
    fc.assert(
      fc.property(messageLike, (body) => {
        const fields = JSON.parse(body) as Record<string, unknown>;
        const idOk = fields.id === undefined || isValidId(fields.id, MAX_ID_LENGTH);
        const dataOk = 'data' in fields;
        const user = parseNotifyUserMessage(body);
        expect(user.ok).toBe(isValidId(fields.userId, MAX_USER_ID_LENGTH) && dataOk && idOk);
        expect(user.ok ? user.value.data : fields.data).toEqual(fields.data);
        const connection = parseNotifyConnectionMessage(body);
        expect(connection.ok).toBe(isValidId(fields.connectionId, MAX_ID_LENGTH) && dataOk && idOk);
      }),
      { numRuns: RUNS },
    );
  });

  it('parse every good message of a batch as sent, whatever bad bodies come before it', () => {
    const good = fc.nat().map((n) => ({ userId: `u${n}`, data: { n }, id: `n-${n}` }));
    const batch = fc.array(
      fc.oneof(
        anyBody.map((body) => ({ body, sent: null })),
        good.map((sent) => ({ body: JSON.stringify(sent), sent })),
      ),
      { minLength: 1, maxLength: 10 },
    );
    fc.assert(
      fc.property(batch, (messages) => {
        const outcomes = messages.map(({ body }) => parseNotifyUserMessage(body));
        const ofGood = outcomes.filter((_, i) => messages[i]?.sent !== null);
        const sent = messages.flatMap((message) => (message.sent === null ? [] : [message.sent]));
        expect(ofGood).toEqual(sent.map((value) => ({ ok: true, value })));
      }),
      { numRuns: RUNS },
    );
  });
});
