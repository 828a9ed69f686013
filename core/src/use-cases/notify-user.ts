import { MAX_PAYLOAD_BYTES, serializeFrame, utf8ByteLength } from '../domain/frame.js';
import type { NotificationId } from '../domain/ids.js';
import { fail, ok, type Outcome } from '../domain/outcome.js';
import type { NotifyConnectionMessage, NotifyUserMessage } from '../domain/queue-messages.js';
import type { Clock } from '../ports/clock.js';
import {
  type ConnectionRepository,
  DEFAULT_PAGE_SIZE,
  type MalformedRecord,
} from '../ports/connection-repository.js';
import { MAX_QUEUE_BATCH, type MessageQueue } from '../ports/message-queue.js';

export interface NotifyUserInput {
  readonly message: NotifyUserMessage;
  /** The id the transport gave the message (the SQS message id); the notification's id unless the message has one. */
  readonly messageId: string;
}

/** What one fan-out did. */
export interface NotifyUserReport {
  readonly notificationId: NotificationId;
  /** NotifyConnection messages enqueued, one per live connection of the user. */
  readonly enqueued: number;
  /** Queue calls made (each of at most {@link MAX_QUEUE_BATCH} messages). */
  readonly batches: number;
  /** Registry pages read. */
  readonly pages: number;
  /** Records past their expiry time (TTL deletion lags on DynamoDB): skipped. */
  readonly expired: number;
  /** Unreadable records: reported, skipped, never fatal to the fan-out. */
  readonly malformed: readonly MalformedRecord[];
}

export type NotifyUserOutcome = Outcome<NotifyUserReport, 'PAYLOAD_TOO_LARGE'>;

/** Options of {@link NotifyUser}. */
export interface NotifyUserOptions {
  /** Registry page size; default {@link DEFAULT_PAGE_SIZE}. */
  readonly pageSize?: number;
}

/**
 * NotifyUser: walks the user's connections page by page and enqueues one NotifyConnection
 * message per live connection, in batches of at most {@link MAX_QUEUE_BATCH} (a page's batches
 * concurrently), all with the same notification id. Memory stays bounded by one page.
 *
 * Refuses with `PAYLOAD_TOO_LARGE`, before anything is enqueued, a notification whose frame
 * would exceed {@link MAX_PAYLOAD_BYTES}. Queue and registry faults are thrown: the transport
 * retries the whole message, so a connection may get a notification twice (at least once),
 * and clients deduplicate by its id.
 */
export class NotifyUser {
  private readonly pageSize: number;

  constructor(
    private readonly repository: ConnectionRepository,
    private readonly queue: MessageQueue,
    private readonly clock: Clock,
    options: NotifyUserOptions = {},
  ) {
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  }

  async execute(input: NotifyUserInput): Promise<NotifyUserOutcome> {
    const { message } = input;
    const notificationId = message.id ?? input.messageId;
    const frameSize = utf8ByteLength(
      serializeFrame({ type: 'notification', id: notificationId, data: message.data }),
    );
    if (frameSize > MAX_PAYLOAD_BYTES) {
      return fail(
        'PAYLOAD_TOO_LARGE',
        `notification of ${frameSize} bytes exceeds the limit of ${MAX_PAYLOAD_BYTES} bytes`,
      );
    }
    let enqueued = 0;
    let batches = 0;
    let pages = 0;
    let expired = 0;
    const malformed: MalformedRecord[] = [];
    let pending: NotifyConnectionMessage[] = [];
    let full: NotifyConnectionMessage[][] = [];
    // A page's full batches are sent at once (a page bounds how many): the fan-out costs one
    // queue round trip per page, not one per batch. A partial batch waits for the next page.
    const send = async (ready: NotifyConnectionMessage[][]): Promise<void> => {
      await Promise.all(ready.map((batch) => this.queue.sendNotifyConnection(batch)));
      for (const batch of ready) enqueued += batch.length;
      batches += ready.length;
    };
    let cursor: string | null = null;
    do {
      const page = await this.repository.findByUser(message.userId, { cursor, limit: this.pageSize });
      pages += 1;
      malformed.push(...page.malformed);
      const now = this.clock.now();
      for (const connection of page.connections) {
        if (connection.expiresAt <= now) {
          expired += 1;
          continue;
        }
        pending.push({ connectionId: connection.connectionId, data: message.data, id: notificationId });
        if (pending.length === MAX_QUEUE_BATCH) {
          full.push(pending);
          pending = [];
        }
      }
      await send(full);
      full = [];
      cursor = page.cursor;
    } while (cursor !== null);
    if (pending.length > 0) await send([pending]);
    return ok({ notificationId, enqueued, batches, pages, expired, malformed });
  }
}
