// The MessageQueue contract: every guarantee of the port's TSDoc, as cases any adapter must
// pass. Queues are shared by the whole run (one SQS queue per kind), so each case sends ids
// under a fresh scope and reads back only the messages of its scope.
import {
  MAX_QUEUE_BATCH,
  type MessageQueue,
  type NotifyConnectionMessage,
  type NotifyUserMessage,
} from '@pushline/core';
import fc from 'fast-check';
import { afterAll, assert, beforeAll, describe, expect, it } from 'vitest';
import {
  freshScope,
  type IdScope,
  inScope,
  notableData,
  notifyConnectionMessage,
  notifyUserMessage,
} from '../support/arbitraries.js';

/** The two queues of the port. */
export type QueueKind = 'NotifyUser' | 'NotifyConnection';

/**
 * What an adapter's test file gives the contract: the queue, and a way to read back what
 * it enqueued, as a consumer would.
 */
export interface MessageQueueHarness {
  readonly queue: MessageQueue;
  /**
   * Takes every message of this kind that is visible now, each one once (a consumer that
   * receives and deletes), and returns their bodies as the consumer decodes them. Messages
   * of other cases may come along; the contract filters by scope.
   */
  receive(kind: QueueKind): Promise<readonly unknown[]>;
  dispose(): Promise<void>;
}

const NUM_RUNS = 25;
const PROPERTY_TIMEOUT_MS = 60_000;
/** How long the delay case waits for delayed messages to show up, at most. */
const DELAY_WAIT_MS = 10_000;

type AnyMessage = NotifyUserMessage | NotifyConnectionMessage;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function keyOf(message: unknown): string {
  if (typeof message !== 'object' || message === null) return '';
  if ('userId' in message && typeof message.userId === 'string') return message.userId;
  if ('connectionId' in message && typeof message.connectionId === 'string') return message.connectionId;
  return '';
}

/** The messages of `scope` among `bodies`. */
function ofScope(scope: IdScope, bodies: readonly unknown[]): unknown[] {
  return bodies.filter((body) => scope.owns(keyOf(body)));
}

/** Messages compared as a multiset: queues do not promise order. */
function sorted(messages: readonly unknown[]): unknown[] {
  return [...messages]
    .map((message) => ({ message, key: JSON.stringify(message) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ message }) => message);
}

function send(
  queue: MessageQueue,
  kind: QueueKind,
  messages: readonly AnyMessage[],
  delaySeconds?: number,
): Promise<void> {
  const options = delaySeconds === undefined ? undefined : { delaySeconds };
  return kind === 'NotifyUser'
    ? queue.sendNotifyUser(messages as NotifyUserMessage[], options)
    : queue.sendNotifyConnection(messages as NotifyConnectionMessage[], options);
}

const kinds: readonly { kind: QueueKind; message: fc.Arbitrary<AnyMessage> }[] = [
  { kind: 'NotifyUser', message: notifyUserMessage },
  { kind: 'NotifyConnection', message: notifyConnectionMessage },
];

/** Defines the contract's cases for the queue `make` builds (once, for the whole describe block). */
export function describeMessageQueueContract(name: string, make: () => Promise<MessageQueueHarness>): void {
  describe(`${name} keeps the MessageQueue contract`, () => {
    let harness: MessageQueueHarness | undefined;
    const current = (): MessageQueueHarness => {
      if (harness === undefined) throw new Error('the harness was not built');
      return harness;
    };
    /** The visible messages of one case. */
    const receiveScope = async (kind: QueueKind, scope: IdScope): Promise<unknown[]> =>
      ofScope(scope, await current().receive(kind));

    beforeAll(async () => {
      harness = await make();
    });

    afterAll(async () => {
      await harness?.dispose();
    });

    describe.each(kinds)('$kind', ({ kind, message }) => {
      it(
        'accepts 0 to 10 messages in one call and delivers each one as it was sent',
        async () => {
          await fc.assert(
            fc.asyncProperty(fc.array(message, { maxLength: MAX_QUEUE_BATCH }), async (drawn) => {
              const scope = freshScope();
              const messages = drawn.map((m) => inScope(scope, m));
              await send(current().queue, kind, messages);
              expect(sorted(await receiveScope(kind, scope))).toEqual(sorted(messages));
            }),
            { numRuns: NUM_RUNS },
          );
        },
        PROPERTY_TIMEOUT_MS,
      );

      it('refuses 11 messages with a RangeError and enqueues none of them', async () => {
        const scope = freshScope();
        const messages = fc
          .sample(message, { numRuns: MAX_QUEUE_BATCH + 1, seed: 11 })
          .map((m) => inScope(scope, m));
        await expect(send(current().queue, kind, messages)).rejects.toThrow(RangeError);
        expect(await receiveScope(kind, scope)).toEqual([]);
      });

      it.each(notableData)('delivers $name as data unchanged', async ({ data }) => {
        const scope = freshScope();
        const base = fc.sample(message, { numRuns: 1, seed: 7 })[0]!;
        const sent = { ...inScope(scope, base), data };
        await send(current().queue, kind, [sent]);
        expect(await receiveScope(kind, scope)).toEqual([sent]);
      });

      it('keeps a message without an id without one, and a message with an id with it', async () => {
        const scope = freshScope();
        const withoutId =
          kind === 'NotifyUser'
            ? { userId: scope.userId('a'), data: 1 }
            : { connectionId: scope.connectionId('a'), data: 1 };
        const withId = { ...withoutId, data: 2, id: 'notification-1' };
        await send(current().queue, kind, [withoutId, withId]);
        const received = await receiveScope(kind, scope);
        expect(sorted(received)).toEqual(sorted([withoutId, withId]));
        const keysOfFirst = received.flatMap((body) =>
          isRecord(body) && body.data === 1 ? [Object.keys(body).sort()] : [],
        );
        expect(keysOfFirst).toEqual([kind === 'NotifyUser' ? ['data', 'userId'] : ['connectionId', 'data']]);
      });
    });

    it(
      'honours delaySeconds: delayed messages are not visible before the delay, then arrive',
      async () => {
        const scope = freshScope();
        const delayed: NotifyConnectionMessage[] = [
          { connectionId: scope.connectionId('late-1'), data: { n: 1 } },
          { connectionId: scope.connectionId('late-2'), data: { n: 2 } },
        ];
        const prompt: NotifyConnectionMessage = { connectionId: scope.connectionId('now'), data: { n: 0 } };
        const sentAt = Date.now();
        await current().queue.sendNotifyConnection(delayed, { delaySeconds: 1 });
        await current().queue.sendNotifyConnection([prompt]);
        // A delayed message becomes visible 1 s after the queue accepted it, which is after
        // sentAt; so it can only be in a read that ended 1 s or more after sentAt. Timing the
        // end of each read keeps this true however slow the machine.
        const arrivals: { body: unknown; afterMs: number }[] = [];
        const deadline = Date.now() + DELAY_WAIT_MS;
        while (arrivals.length < delayed.length + 1 && Date.now() < deadline) {
          const received = await receiveScope('NotifyConnection', scope);
          const afterMs = Date.now() - sentAt;
          arrivals.push(...received.map((body) => ({ body, afterMs })));
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(arrivals.map(({ body }) => body)).toContainEqual(prompt);
        const late = arrivals.filter(({ body }) => keyOf(body) !== prompt.connectionId);
        expect(late.map(({ afterMs }) => afterMs >= 1_000)).toEqual([true, true]);
        expect(sorted(late.map(({ body }) => body))).toEqual(sorted(delayed));
      },
      PROPERTY_TIMEOUT_MS,
    );

    it(
      'delivers exactly what was sent, for any sequence of sends and reads (model-based)',
      async () => {
        await fc.assert(
          fc.asyncProperty(fc.commands(queueCommands, { maxCommands: 20 }), async (commands) => {
            await fc.asyncModelRun(
              () => ({
                model: { scope: freshScope(), pending: new Map<QueueKind, AnyMessage[]>() },
                real: {
                  queue: current().queue,
                  receive: (kind: QueueKind, scope: IdScope) => receiveScope(kind, scope),
                },
              }),
              commands,
            );
          }),
          { numRuns: NUM_RUNS },
        );
      },
      PROPERTY_TIMEOUT_MS,
    );
  });
}

// The model-based case: a Map from queue to the messages sent and not yet read back.

interface QueueModel {
  readonly scope: IdScope;
  readonly pending: Map<QueueKind, AnyMessage[]>;
}

interface QueueReal {
  readonly queue: MessageQueue;
  receive(kind: QueueKind, scope: IdScope): Promise<unknown[]>;
}

type QueueCommand = fc.AsyncCommand<QueueModel, QueueReal>;

class SendCommand implements QueueCommand {
  constructor(
    readonly kind: QueueKind,
    readonly messages: readonly AnyMessage[],
  ) {}
  check(): boolean {
    return true;
  }
  async run(m: QueueModel, r: QueueReal): Promise<void> {
    const messages = this.messages.map((message) => inScope(m.scope, message));
    if (messages.length > MAX_QUEUE_BATCH) {
      const refused = await send(r.queue, this.kind, messages).then(
        () => null,
        (error: unknown) => error,
      );
      assert.instanceOf(refused, RangeError);
      return;
    }
    await send(r.queue, this.kind, messages);
    m.pending.set(this.kind, [...(m.pending.get(this.kind) ?? []), ...messages]);
  }
  toString(): string {
    return `send${this.kind}(${this.messages.length} messages)`;
  }
}

class ReceiveCommand implements QueueCommand {
  constructor(readonly kind: QueueKind) {}
  check(): boolean {
    return true;
  }
  async run(m: QueueModel, r: QueueReal): Promise<void> {
    assert.deepEqual(sorted(await r.receive(this.kind, m.scope)), sorted(m.pending.get(this.kind) ?? []));
    m.pending.set(this.kind, []);
  }
  toString(): string {
    return `receive${this.kind}()`;
  }
}

const queueCommands = kinds.flatMap(({ kind, message }): fc.Arbitrary<QueueCommand>[] => [
  fc
    .array(message, { maxLength: MAX_QUEUE_BATCH + 2 })
    .map((messages): QueueCommand => new SendCommand(kind, messages)),
  fc.constant(kind).map((k): QueueCommand => new ReceiveCommand(k)),
]);
