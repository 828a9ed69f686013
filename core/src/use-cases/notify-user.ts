import { notificationPayload } from '../domain/frame.js';
import type { NotificationId } from '../domain/ids.js';
import { ok, type Outcome } from '../domain/outcome.js';
import type { NotifyConnectionMessage, NotifyUserMessage } from '../domain/queue-messages.js';
import type { Clock } from '../ports/clock.js';
import { MAX_EPOCH_LENGTH, type NotificationStream } from '../ports/notification-stream.js';
import type { NotifyConnection } from './notify-connection.js';
import type { Connection } from '../domain/connection.js';
import {
  type ConnectionPage,
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
  /** The notification's place in the user's stream; every socket gets the same. */
  readonly seq: number;
  readonly epoch: string;
  /** The stream already held this id (a redelivery or a redrive): the stored `seq` was reused. */
  readonly duplicate: boolean;
  /** Direct pushes the transport refused as too large for it: not re-queued (they would be refused again). */
  readonly refused: number;
  /** Direct pushes answered "gone" for a connection still inside its connect grace: its record was kept. */
  readonly connecting: number;
  /** NotifyConnection messages enqueued, one per live connection not pushed to directly. */
  readonly enqueued: number;
  /** Frames pushed directly (a small fan-out with `directPush`), without a queue hop. */
  readonly pushed: number;
  /** Connections found gone while pushing directly: their records were removed. */
  readonly gone: number;
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
  /**
   * Push directly, through NotifyConnection's `deliver`, without a NotifyConnection message
   * each, when the user has at most `maxConnections` live connections (all on the first page).
   * A push that throws (throttling, a fault) is handed to the queue, so it is retried alone.
   * Omit it to always enqueue.
   */
  readonly directPush?: { readonly delivery: NotifyConnection; readonly maxConnections: number };
}

/**
 * NotifyUser: first appends the notification to the user's {@link NotificationStream} (also
 * when the user has no socket at all: a client that reconnects later resumes from it), then
 * walks the user's connections page by page and enqueues one NotifyConnection
 * message per live connection, in batches of at most {@link MAX_QUEUE_BATCH} (a page's batches
 * concurrently), all with the same notification id. Memory stays bounded by one page.
 * With `directPush`, a user with few connections is notified in place: one queue hop and one
 * function run fewer per notification (bench/RESULTS.md has the latency and the cost).
 *
 * Refuses with `PAYLOAD_TOO_LARGE`, before anything is stored or enqueued, a notification whose
 * frame would exceed `MAX_PAYLOAD_BYTES`. Stream, queue and registry faults are thrown: the
 * transport retries the whole message. The stream's append is idempotent by notification id,
 * so a retry reuses the stored `seq`: a socket may get a notification twice (at least once),
 * always under the same `seq`, and clients drop a `seq` they have seen.
 */
export class NotifyUser {
  private readonly pageSize: number;
  private readonly directPush: NotifyUserOptions['directPush'];

  constructor(
    private readonly repository: ConnectionRepository,
    private readonly queue: MessageQueue,
    private readonly clock: Clock,
    private readonly stream: NotificationStream,
    options: NotifyUserOptions = {},
  ) {
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.directPush = options.directPush;
  }

  async execute(input: NotifyUserInput): Promise<NotifyUserOutcome> {
    const { message } = input;
    const notificationId = message.id ?? input.messageId;
    // The data is serialised once, for both frames below.
    const dataJson = JSON.stringify(message.data);
    // Measured at the largest position it could get, so that what is stored always fits a frame.
    const largest = notificationPayload(
      {
        id: notificationId,
        data: message.data,
        seq: Number.MAX_SAFE_INTEGER,
        epoch: 'e'.repeat(MAX_EPOCH_LENGTH),
      },
      dataJson,
    );
    if (!largest.ok) return largest;
    // Stored before anything is pushed or enqueued: whatever happens next, a resume finds it.
    const appended = await this.stream.append(message.userId, { id: notificationId, data: message.data });
    const { seq, epoch, duplicate } = appended;
    const built = notificationPayload({ id: notificationId, seq, epoch, data: message.data }, dataJson);
    if (!built.ok) return built;
    const payload = built.value;
    const report = {
      notificationId,
      seq,
      epoch,
      duplicate,
      enqueued: 0,
      pushed: 0,
      gone: 0,
      refused: 0,
      connecting: 0,
      batches: 0,
      pages: 0,
      expired: 0,
    };
    const malformed: MalformedRecord[] = [];
    const toMessage = (connection: Connection): NotifyConnectionMessage => ({
      connectionId: connection.connectionId,
      data: message.data,
      id: notificationId,
      seq,
      epoch,
    });
    const live = (page: ConnectionPage): Connection[] => {
      report.pages += 1;
      malformed.push(...page.malformed);
      const now = this.clock.now();
      const alive = page.connections.filter((connection) => connection.expiresAt > now);
      report.expired += page.connections.length - alive.length;
      return alive;
    };
    const send = async (ready: NotifyConnectionMessage[][]): Promise<void> => {
      await Promise.all(ready.map((batch) => this.queue.sendNotifyConnection(batch)));
      for (const batch of ready) report.enqueued += batch.length;
      report.batches += ready.length;
    };

    let page = await this.repository.findByUser(message.userId, { limit: this.pageSize });
    let connections = live(page);
    const direct = this.directPush;
    if (direct !== undefined && page.cursor === null && connections.length <= direct.maxConnections) {
      const retry = await this.pushDirectly(direct.delivery, connections, payload, report);
      const messages = retry.map(toMessage);
      const batches: NotifyConnectionMessage[][] = [];
      for (let i = 0; i < messages.length; i += MAX_QUEUE_BATCH)
        batches.push(messages.slice(i, i + MAX_QUEUE_BATCH));
      await send(batches);
      return ok({ ...report, malformed });
    }

    let pending: NotifyConnectionMessage[] = [];
    // A page's full batches are sent at once (a page bounds how many): the fan-out costs one
    // queue round trip per page, not one per batch. A partial batch waits for the next page.
    for (;;) {
      const full: NotifyConnectionMessage[][] = [];
      for (const connection of connections) {
        pending.push(toMessage(connection));
        if (pending.length === MAX_QUEUE_BATCH) {
          full.push(pending);
          pending = [];
        }
      }
      await send(full);
      if (page.cursor === null) break;
      page = await this.repository.findByUser(message.userId, { cursor: page.cursor, limit: this.pageSize });
      connections = live(page);
    }
    if (pending.length > 0) await send([pending]);
    return ok({ ...report, malformed });
  }

  /**
   * Delivers to each connection at once, through NotifyConnection's one delivery path. A push
   * that throws (throttling, a fault) is returned, to go through the queue and be retried
   * alone; one the transport refused as too large is not (it would be refused again).
   */
  private async pushDirectly(
    delivery: NotifyConnection,
    connections: readonly Connection[],
    payload: string,
    report: { pushed: number; gone: number; refused: number; connecting: number },
  ): Promise<Connection[]> {
    const retry: Connection[] = [];
    await Promise.all(
      connections.map(async (connection) => {
        try {
          const delivered = await delivery.deliver(connection.connectionId, payload);
          if (delivered === 'delivered') report.pushed += 1;
          else report[delivered] += 1;
        } catch {
          retry.push(connection);
        }
      }),
    );
    return retry;
  }
}
