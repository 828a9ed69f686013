// What the dev-stack e2e tests do to a running `pnpm dev` stack: mint a token, send NotifyUser,
// read a user's registry records, count the notify-user runs the stack reported.
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { type DevStack, LOCAL_RESOURCES } from '@pushline/local/dev';

/** One `onBatch` report of the dev stack's pollers. */
export interface BatchReport {
  readonly functionName: string;
  readonly records: number;
}

/** A token of `userId` from the stack's `POST /token`. */
export async function tokenFor(stack: DevStack, userId: string): Promise<string> {
  const response = await fetch(`${stack.httpUrl}/token`, {
    method: 'POST',
    body: JSON.stringify({ userId }),
  });
  return ((await response.json()) as { token: string }).token;
}

/** Sends `{userId, id, data}` to the stack's NotifyUser queue. */
export async function notifyUser(stack: DevStack, userId: string, id: string, data: unknown): Promise<void> {
  await stack.aws.sqs.send(
    new SendMessageCommand({
      QueueUrl: stack.queues.NotifyUser.url,
      MessageBody: JSON.stringify({ userId, id, data }),
    }),
  );
}

/** The connection ids the registry holds for `userId` (a consistent scan). */
export async function recordsOf(stack: DevStack, userId: string): Promise<string[]> {
  const { Items = [] } = await stack.aws.dynamoDb.send(
    new ScanCommand({ TableName: LOCAL_RESOURCES.tables.Connections, ConsistentRead: true }),
  );
  return Items.filter((item) => item.userId?.S === userId).map((item) => item.connectionId?.S ?? '');
}

/** NotifyUser records the stack's notify-user function has handled so far. */
export function notifyUserRuns(batches: readonly BatchReport[]): number {
  return batches.filter((batch) => batch.functionName === 'notify-user').reduce((n, b) => n + b.records, 0);
}
