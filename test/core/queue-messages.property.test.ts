// Fuzzing the queue-message parsers: any body, JSON or not, of any shape and size, gets a
// parsed message or MALFORMED_QUEUE_MESSAGE with a reason, never a throw, and a good message
// after a bad one is unaffected. PUSHLINE_FUZZ_RUNS sets the number of cases (300 by default).
import {
  MAX_ID_LENGTH,
  MAX_USER_ID_LENGTH,
  parseNotifyConnectionMessage,
  parseNotifyUserMessage,
} from '@pushline/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const RUNS = Number(process.env.PUSHLINE_FUZZ_RUNS ?? '300');
const TIMEOUT_MS = Math.max(30_000, RUNS);

/** A field value of any JSON type, or missing. */
const anyValue = fc.oneof(
  fc.constant(undefined),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);

/** Bodies shaped like queue messages, with every field possibly wrong, missing or extra. */
const messageLike = fc
  .record({
    userId: anyValue,
    connectionId: anyValue,
    data: fc.oneof(
      anyValue,
      fc.string({ minLength: 100_000, maxLength: 140_000 }).map((s) => ({ big: s })),
    ),
    id: anyValue,
    extra: anyValue,
  })
  .map((fields) => JSON.stringify(fields));

const anyBody = fc.oneof(
  messageLike,
  fc.string({ unit: 'binary', maxLength: 2_000 }),
  fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
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

describe('queue-message parsers under fuzzing', () => {
  it(
    'answer every body with a message or MALFORMED_QUEUE_MESSAGE, and never throw',
    () => {
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
    },
    TIMEOUT_MS,
  );

  it(
    'accept exactly the bodies the protocol documents, with data as sent',
    () => {
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
    },
    TIMEOUT_MS,
  );

  it('parse a good message the same way after any bad one', () => {
    const good = JSON.stringify({ userId: 'u1', data: { n: 1 }, id: 'n-1' });
    const expected = parseNotifyUserMessage(good);
    fc.assert(
      fc.property(anyBody, (bad) => {
        parseNotifyUserMessage(bad);
        expect(parseNotifyUserMessage(good)).toEqual(expected);
      }),
      { numRuns: Math.min(RUNS, 500) },
    );
  });
});
