import type { SendMessageBatchCommandInput, SendMessageBatchCommandOutput } from '@aws-sdk/client-sqs';
import { countCalls } from '@pushline/adapters/aws';
import { encodeBody, SQS_MAX_MESSAGE_BYTES, SqsMessageQueue } from '@pushline/adapters/sqs';
import { hasErrorCode, type QueueSendError } from '@pushline/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeMessageQueueContract } from '../contracts/message-queue.contract.js';
import { freshScope } from '../support/arbitraries.js';
import { type LocalQueue, type SqsPeer, startSqs } from '../support/aws-peers.js';

const decode = (body: string | undefined): unknown => JSON.parse(body ?? 'null');

describeMessageQueueContract('SqsMessageQueue on local-aws-sqs', async () => {
  const peer = await startSqs();
  const notifyUser = await peer.createQueue('contract-notify-user', { dlq: { maxReceiveCount: 3 } });
  const notifyConnection = await peer.createQueue('contract-notify-connection', {
    dlq: { maxReceiveCount: 3 },
  });
  return {
    queue: new SqsMessageQueue({
      client: peer.client,
      notifyUserQueueUrl: notifyUser.url,
      notifyConnectionQueueUrl: notifyConnection.url,
    }),
    receive: async (kind) =>
      (await peer.drain(kind === 'NotifyUser' ? notifyUser.url : notifyConnection.url)).map((m) =>
        decode(m.Body),
      ),
    dispose: () => peer.close(),
  };
});

/** What a fault middleware does to one entry of a SendMessageBatch request: fail it, or lose it from the response. */
type EntryFault = { senderFault: boolean; code: string } | 'vanish' | null;

describe('SqsMessageQueue on local-aws-sqs', () => {
  let peer: SqsPeer;
  let notifyUser: LocalQueue;
  let notifyConnection: LocalQueue;
  /** Every SendMessageBatch request's entry ids, in order. */
  let requests: string[][] = [];
  /** Decides, per request and entry id, whether SQS "fails" the entry. */
  let fault: (request: number, id: string) => EntryFault = () => null;

  beforeAll(async () => {
    peer = await startSqs();
    notifyUser = await peer.createQueue('notify-user', { dlq: { maxReceiveCount: 3 } });
    notifyConnection = await peer.createQueue('notify-connection', { dlq: { maxReceiveCount: 3 } });
    // local-aws-sqs never fails one entry of a batch for a server-side reason, so this
    // middleware does: it takes the entry out of the request (so it is really not enqueued)
    // and reports it Failed in the response, as SQS would (or, for 'vanish', not at all).
    peer.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'SendMessageBatchCommand') return next(args);
        const input = args.input as SendMessageBatchCommandInput;
        const request = requests.push((input.Entries ?? []).map((entry) => entry.Id ?? '')) - 1;
        const failed = (input.Entries ?? []).flatMap((entry) => {
          const f = fault(request, entry.Id ?? '');
          return f === null || f === 'vanish'
            ? []
            : [{ Id: entry.Id, Code: f.code, SenderFault: f.senderFault, Message: 'injected' }];
        });
        const kept = (input.Entries ?? []).filter((entry) => fault(request, entry.Id ?? '') === null);
        if (kept.length === 0) {
          return {
            output: { Successful: [], Failed: failed, $metadata: {} } as SendMessageBatchCommandOutput,
            response: {},
          };
        }
        const result = await next({ ...args, input: { ...input, Entries: kept } });
        const output = result.output as SendMessageBatchCommandOutput;
        return { ...result, output: { ...output, Failed: [...(output.Failed ?? []), ...failed] } };
      },
      { step: 'initialize', name: 'injectEntryFaults' },
    );
  });

  afterAll(async () => {
    await peer.close();
  });

  const queueWith = (retry?: { attempts: number; baseDelayMs: number }) =>
    new SqsMessageQueue({
      client: peer.client,
      notifyUserQueueUrl: notifyUser.url,
      notifyConnectionQueueUrl: notifyConnection.url,
      ...(retry === undefined ? {} : { retry }),
    });

  const reset = async (): Promise<void> => {
    requests = [];
    fault = () => null;
    await peer.drain(notifyConnection.url);
    await peer.drain(notifyUser.url);
  };

  const connectionsReceived = async (): Promise<string[]> =>
    (await peer.drain(notifyConnection.url))
      .map((m) => (decode(m.Body) as { connectionId: string }).connectionId)
      .sort();

  it('sends a call of up to 10 messages as one SendMessageBatch, and 0 messages as none', async () => {
    await reset();
    const queue = queueWith();
    const scope = freshScope();
    await queue.sendNotifyConnection([]);
    await queue.sendNotifyConnection(
      Array.from({ length: 10 }, (_, i) => ({ connectionId: scope.connectionId(`${i}`), data: i })),
    );
    expect(requests).toEqual([['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']]);
    expect(await connectionsReceived()).toHaveLength(10);
  });

  it('writes the message as JSON, escaping the two characters SQS refuses', async () => {
    await reset();
    const scope = freshScope();
    const message = { userId: scope.userId('u'), data: { text: 'a\ufffeb\uffffc' }, id: 'n1' };
    await queueWith().sendNotifyUser([message]);
    const [received] = await peer.drain(notifyUser.url);
    expect(received?.Body).toBe(
      JSON.stringify(message).replace('\ufffe', '\\ufffe').replace('\uffff', '\\uffff'),
    );
    expect(received?.Body).toBe(encodeBody(message));
    expect(decode(received?.Body)).toEqual(message);
  });

  it('retries only the failed entry, with backoff, and succeeds when it goes through', async () => {
    await reset();
    const scope = freshScope();
    fault = (request, id) =>
      request === 0 && id === '1' ? { senderFault: false, code: 'InternalError' } : null;
    await queueWith({ attempts: 3, baseDelayMs: 1 }).sendNotifyConnection(
      ['a', 'b', 'c'].map((id) => ({ connectionId: scope.connectionId(id), data: id })),
    );
    expect(requests).toEqual([['0', '1', '2'], ['1']]);
    expect(await connectionsReceived()).toEqual(['a', 'b', 'c'].map((id) => scope.connectionId(id)));
  });

  it('throws a QueueSendError naming an entry that fails every attempt, after enqueuing the others', async () => {
    await reset();
    const scope = freshScope();
    fault = (_, id) => (id === '1' ? { senderFault: false, code: 'InternalError' } : null);
    const sending = queueWith({ attempts: 3, baseDelayMs: 1 }).sendNotifyConnection(
      ['a', 'b', 'c'].map((id) => ({ connectionId: scope.connectionId(id), data: id })),
    );
    const error: unknown = await sending.catch((e: unknown) => e);
    expect(hasErrorCode(error, 'QUEUE_SEND_FAILED')).toBe(true);
    expect((error as QueueSendError).failedIndexes).toEqual([1]);
    expect((error as QueueSendError).message).toContain('InternalError');
    expect(requests).toEqual([['0', '1', '2'], ['1'], ['1']]);
    expect(await connectionsReceived()).toEqual(['a', 'c'].map((id) => scope.connectionId(id)));
  });

  it('does not retry an entry SQS reports as a sender fault', async () => {
    await reset();
    const scope = freshScope();
    fault = (_, id) => (id === '0' ? { senderFault: true, code: 'InvalidMessageContents' } : null);
    const error: unknown = await queueWith({ attempts: 5, baseDelayMs: 1 })
      .sendNotifyConnection(['a', 'b'].map((id) => ({ connectionId: scope.connectionId(id), data: id })))
      .catch((e: unknown) => e);
    expect((error as QueueSendError).failedIndexes).toEqual([0]);
    expect(requests).toEqual([['0', '1']]);
    expect(await connectionsReceived()).toEqual([scope.connectionId('b')]);
  });

  it('treats an entry missing from both Successful and Failed as failed, never as sent', async () => {
    await reset();
    const scope = freshScope();
    fault = (_, id) => (id === '2' ? 'vanish' : null);
    const error: unknown = await queueWith({ attempts: 2, baseDelayMs: 1 })
      .sendNotifyConnection(['a', 'b', 'c'].map((id) => ({ connectionId: scope.connectionId(id), data: id })))
      .catch((e: unknown) => e);
    expect((error as QueueSendError).failedIndexes).toEqual([2]);
    expect((error as QueueSendError).message).toContain('NotAcknowledged');
    expect(requests).toEqual([['0', '1', '2'], ['2']]);
    expect(await connectionsReceived()).toEqual(['a', 'b'].map((id) => scope.connectionId(id)));
  });

  it('refuses a message over the size limit with a RangeError before sending anything', async () => {
    await reset();
    const scope = freshScope();
    const huge = { connectionId: scope.connectionId('big'), data: 'x'.repeat(SQS_MAX_MESSAGE_BYTES) };
    const small = { connectionId: scope.connectionId('small'), data: 1 };
    await expect(queueWith().sendNotifyConnection([small, huge])).rejects.toThrow(/#1/);
    await expect(queueWith().sendNotifyConnection([small, huge])).rejects.toThrow(RangeError);
    expect(requests).toEqual([]);
    expect(await connectionsReceived()).toEqual([]);
  });

  it('splits a call whose bodies exceed the 1 MiB batch limit into requests within it', async () => {
    await reset();
    const scope = freshScope();
    const calls = countCalls(peer.client);
    const messages = Array.from({ length: 10 }, (_, i) => ({
      connectionId: scope.connectionId(`${i}`),
      data: 'y'.repeat(200_000),
    }));
    await queueWith().sendNotifyConnection(messages);
    calls.detach();
    expect(calls.count('SendMessageBatch')).toBe(2);
    expect(requests.map((ids) => ids.length)).toEqual([5, 5]);
    expect(await connectionsReceived()).toEqual(messages.map((m) => m.connectionId).sort());
  });

  it('refuses a delay SQS would refuse with a RangeError', async () => {
    await reset();
    const message = { connectionId: freshScope().connectionId('late'), data: null };
    await expect(queueWith().sendNotifyConnection([message], { delaySeconds: 901 })).rejects.toThrow(
      RangeError,
    );
    await expect(queueWith().sendNotifyConnection([message], { delaySeconds: 1.5 })).rejects.toThrow(
      RangeError,
    );
    expect(requests).toEqual([]);
  });

  it('rethrows SDK errors unchanged, such as a queue that does not exist', async () => {
    await reset();
    const queue = new SqsMessageQueue({
      client: peer.client,
      notifyUserQueueUrl: `${peer.endpoint}/123456789012/no-such-queue`,
      notifyConnectionQueueUrl: `${peer.endpoint}/123456789012/no-such-queue`,
    });
    await expect(queue.sendNotifyUser([{ userId: 'u', data: 1 }])).rejects.toMatchObject({
      name: expect.stringMatching(/QueueDoesNotExist|NonExistentQueue/) as unknown,
    });
  });
});
