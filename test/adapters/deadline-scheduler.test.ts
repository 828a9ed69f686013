// The DeadlineScheduler contract, run against each of its adapters: in memory (a manual clock,
// `due()` playing the timer loop) and SQS on local-aws-sqs (a real SQS protocol peer, in process on
// 127.0.0.1; delayed messages on the real clock, received and deleted as the deadline consumer does).
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { InMemoryDeadlineScheduler, ManualClock } from '@pushline/adapters/memory';
import { SqsDeadlineScheduler } from '@pushline/adapters/sqs';
import { SystemClock } from '@pushline/adapters/system';
import { parseDeadlineMessage } from '@pushline/core';
import {
  describeDeadlineSchedulerContract,
  type HandedOut,
} from '../contracts/deadline-scheduler.contract.js';
import { startSqs } from '../support/aws-peers.js';

describeDeadlineSchedulerContract(
  'InMemoryDeadlineScheduler',
  () => {
    const clock = new ManualClock(1_700_000_000_000);
    const scheduler = new InMemoryDeadlineScheduler(clock);
    return Promise.resolve({
      scheduler,
      now: () => clock.now(),
      passUntil: (at: number) => {
        clock.set(Math.max(clock.now(), at));
        return Promise.resolve();
      },
      // Time only moves when told to: what is due now is all there will be.
      take: () => Promise.resolve(scheduler.due().map((deadline) => ({ deadline, receivedAt: clock.now() }))),
      unreachable: null,
      dispose: () => Promise.resolve(),
    });
  },
  { hasTransport: false },
);

describeDeadlineSchedulerContract(
  'SqsDeadlineScheduler on local-aws-sqs',
  async () => {
    const sqs = await startSqs();
    const queue = await sqs.createQueue('deadlines-contract');
    const clock = new SystemClock();
    const receive = async (waitSeconds: number): Promise<HandedOut[]> => {
      const { Messages = [] } = await sqs.client.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: waitSeconds,
          VisibilityTimeout: 60,
        }),
      );
      const receivedAt = clock.now();
      const handed: HandedOut[] = [];
      for (const message of Messages) {
        const parsed = parseDeadlineMessage(message.Body ?? '');
        if (!parsed.ok) throw new Error(`unreadable deadline message: ${message.Body ?? ''}`);
        handed.push({ deadline: parsed.value, receivedAt });
        await sqs.client.send(
          new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message.ReceiptHandle }),
        );
      }
      return handed;
    };
    return {
      scheduler: new SqsDeadlineScheduler({ client: sqs.client, queueUrl: queue.url, clock }),
      now: () => clock.now(),
      passUntil: async (at: number) => {
        const wait = at - clock.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      },
      take: async (count: number, timeoutMs: number) => {
        const deadline = clock.now() + timeoutMs;
        const handed = await receive(0);
        while (handed.length < count && clock.now() < deadline) {
          handed.push(...(await receive(1)));
        }
        return handed;
      },
      unreachable: new SqsDeadlineScheduler({
        client: sqs.client,
        queueUrl: `${sqs.endpoint}/000000000000/no-such-queue`,
        clock,
      }),
      dispose: () => sqs.close(),
    };
  },
  { hasTransport: true },
);
