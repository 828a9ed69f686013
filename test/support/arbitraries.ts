// Shared arbitraries and object mothers (Codely's Mothers, as fast-check arbitraries).
//
// Contract suites run against real peers (dynalite, local-aws-sqs) whose one table or queue
// serves a whole test run without truncation. So every id a case uses lives under a fresh
// scope: the arbitrary draws the interesting part of the id (unicode, odd lengths), the
// scope makes it unique for the run, even when fast-check replays a value while shrinking.
import { randomUUID } from 'node:crypto';
import {
  type Connection,
  type ConnectionId,
  DEFAULT_CONNECTION_TTL_MS,
  isId,
  isUserId,
  type NotifyConnectionMessage,
  type NotifyUserMessage,
  type UserId,
} from '@pushline/core';
import fc from 'fast-check';

/** Ids unique to one case (or one model run): `scope.connectionId('x')` never collides with another scope's. */
export interface IdScope {
  readonly prefix: string;
  connectionId(part: string): ConnectionId;
  userId(part: string): UserId;
  /** True when the id was made by this scope (to pick a case's messages out of a shared queue). */
  owns(id: string): boolean;
}

/** A new scope; its prefix is short, so that scoped ids stay within core's id length limits. */
export function freshScope(): IdScope {
  const prefix = `t${randomUUID().replaceAll('-', '').slice(0, 12)}~`;
  return {
    prefix,
    connectionId: (part) => `${prefix}c~${part}`,
    userId: (part) => `${prefix}u~${part}`,
    owns: (id) => id.startsWith(prefix),
  };
}

/** The variable part of an id: short, any graphemes (emoji, combining marks, RTL), no control characters. */
export const idPart: fc.Arbitrary<string> = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 12 })
  .filter((part) => isId(`t0123456789ab~c~${part}`) && isUserId(`t0123456789ab~u~${part}`));

/** Distinct id parts, e.g. for the connections of one user. */
export function distinctIdParts(constraints: {
  minLength?: number;
  maxLength: number;
}): fc.Arbitrary<string[]> {
  return fc.uniqueArray(idPart, { ...constraints, selector: (part) => part });
}

/** A connect time in epoch milliseconds (2020 to 2033), with millisecond precision. */
const connectedAt: fc.Arbitrary<number> = fc.integer({
  min: 1_577_836_800_000,
  max: 2_000_000_000_000,
});

/**
 * A record's expiry for a connect time: the default TTL or another one, rounded up to a
 * whole second. Repositories keep expiry at second precision (DynamoDB's TTL is in epoch
 * seconds), so the contract generates what every adapter can store exactly.
 */
function expiresAtFor(connected: number): fc.Arbitrary<number> {
  return fc
    .oneof(
      fc.constant(DEFAULT_CONNECTION_TTL_MS),
      fc.integer({ min: 1_000, max: 2 * DEFAULT_CONNECTION_TTL_MS }),
    )
    .map((ttl) => Math.ceil((connected + ttl) / 1000) * 1000);
}

/** Connect time and expiry, as they are saved. */
export const lifetime: fc.Arbitrary<{ connectedAt: number; expiresAt: number }> = connectedAt.chain((at) =>
  expiresAtFor(at).map((expiresAt) => ({ connectedAt: at, expiresAt })),
);

/** A connection mother: `connectionOf(scope.connectionId('a'), null, { connectedAt, expiresAt })`. */
export function connectionOf(
  connectionId: ConnectionId,
  userId: UserId | null,
  times: { connectedAt: number; expiresAt: number },
): Connection {
  return { connectionId, userId, connectedAt: times.connectedAt, expiresAt: times.expiresAt };
}

/**
 * A connection before it gets a scope: the parts of its ids and its times. Properties draw
 * specs, then place them in a scope made inside the property body, so that every run (and
 * every replay while shrinking) writes ids no earlier run wrote.
 */
export interface ConnectionSpec {
  readonly id: string;
  readonly user: string | null;
  readonly times: { readonly connectedAt: number; readonly expiresAt: number };
}

/** A connection spec, anonymous or not. */
export const connectionSpec: fc.Arbitrary<ConnectionSpec> = fc.record({
  id: idPart,
  user: fc.option(idPart, { nil: null }),
  times: lifetime,
});

/** The connection a spec describes, in `scope`. */
export function connectionFrom(scope: IdScope, spec: ConnectionSpec): Connection {
  return connectionOf(
    scope.connectionId(spec.id),
    spec.user === null ? null : scope.userId(spec.user),
    spec.times,
  );
}

/**
 * Any JSON value as a message's `data`: unicode strings (including lone surrogates and
 * U+FFFE, which SQS refuses raw), nested objects and arrays, numbers, null. Mapped through
 * a JSON round trip so `-0` and friends compare as they travel.
 */
export const messageData: fc.Arbitrary<unknown> = fc
  .jsonValue({ maxDepth: 3, stringUnit: 'binary' })
  .map((value) => JSON.parse(JSON.stringify(value)) as unknown);

/** Data that is hard to carry faithfully, each one named. */
export const notableData: readonly { readonly name: string; readonly data: unknown }[] = [
  { name: 'null', data: null },
  { name: 'an empty object', data: {} },
  { name: 'a unicode string', data: 'héllo wörld 👩‍👩‍👧 مرحبا 你好 \u0000 \u001f \ufffe \uffff \ud800 end' },
  {
    name: 'nested JSON',
    data: { kind: 'export.ready', deep: { a: [1, 2.5, -3, true, null, { b: [[['c']]] }] }, empty: [] },
  },
  { name: 'a number', data: 1234.5 },
  { name: 'a JSON string inside a string', data: '{"action":"ping"}' },
];

/** A NotifyUser message with an unscoped user id part; place it with {@link inScope}. */
export const notifyUserMessage: fc.Arbitrary<NotifyUserMessage> = fc
  .record({ userId: idPart, data: messageData, id: idPart }, { requiredKeys: ['userId', 'data'] })
  .map((message) => (message.id === undefined ? { userId: message.userId, data: message.data } : message));

/** A NotifyConnection message with an unscoped connection id part; place it with {@link inScope}. */
export const notifyConnectionMessage: fc.Arbitrary<NotifyConnectionMessage> = fc
  .record({ connectionId: idPart, data: messageData, id: idPart }, { requiredKeys: ['connectionId', 'data'] })
  .map((message) =>
    message.id === undefined ? { connectionId: message.connectionId, data: message.data } : message,
  );

/** The message with its user or connection id placed in `scope`. */
export function inScope<M extends NotifyUserMessage | NotifyConnectionMessage>(
  scope: IdScope,
  message: M,
): M {
  return 'userId' in message
    ? { ...message, userId: scope.userId(message.userId) }
    : { ...message, connectionId: scope.connectionId(message.connectionId) };
}
