import { notificationPayload } from '../domain/frame.js';
import type { ConnectionId, NotificationId } from '../domain/ids.js';
import { fail, ok, type Outcome } from '../domain/outcome.js';
import type { NotifyConnectionMessage } from '../domain/queue-messages.js';
import type { Clock } from '../ports/clock.js';
import type { ConnectionPusher } from '../ports/connection-pusher.js';
import type { ConnectionRepository } from '../ports/connection-repository.js';

/**
 * How long after its `$connect` a connection may still be connecting, by default: API Gateway
 * answers 410 to a push for a connection whose `$connect` has not returned, so a 410 inside
 * this window does not remove the record.
 */
export const DEFAULT_CONNECT_GRACE_MS = 5_000;

export interface NotifyConnectionInput {
  readonly message: NotifyConnectionMessage;
  /** The id the transport gave the message; the notification's id unless the message has one. */
  readonly messageId: string;
}

/**
 * What one delivery came to:
 * - `delivered`: the frame was sent;
 * - `gone`: the socket no longer exists and its record was removed;
 * - `connecting`: the transport said gone, but the record is younger than the connect grace
 *   (its `$connect` may still be returning), so it was kept;
 * - `refused`: the transport refused the frame as too large for it (never retried: it would be
 *   refused again).
 */
export type Delivery = 'delivered' | 'gone' | 'connecting' | 'refused';

/**
 * `result` is a {@link Delivery}; `PAYLOAD_TOO_LARGE` is a frame over the protocol's limit, or
 * one the transport refused.
 */
export type NotifyConnectionOutcome = Outcome<
  { readonly result: Exclude<Delivery, 'refused'>; readonly notificationId: NotificationId },
  'PAYLOAD_TOO_LARGE'
>;

/** Options of {@link NotifyConnection}. */
export interface NotifyConnectionOptions {
  /** See {@link DEFAULT_CONNECT_GRACE_MS}; the default. */
  readonly connectGraceMs?: number;
}

/**
 * NotifyConnection: pushes `{"type":"notification","id",("seq","epoch",)"data"}` to one socket.
 *
 * {@link deliver} is the one delivery path of the core: NotifyUser's direct pushes use it too.
 * A gone socket (410) removes its own record, unless the record is younger than the connect
 * grace, and is a success, not a retry. A frame over `MAX_PAYLOAD_BYTES` is refused with
 * `PAYLOAD_TOO_LARGE` before anything is sent. Transient faults (`TRANSIENT_FAILURE`) are
 * thrown so the transport retries.
 */
export class NotifyConnection {
  private readonly connectGraceMs: number;

  constructor(
    private readonly pusher: ConnectionPusher,
    private readonly repository: ConnectionRepository,
    private readonly clock: Clock,
    options: NotifyConnectionOptions = {},
  ) {
    this.connectGraceMs = options.connectGraceMs ?? DEFAULT_CONNECT_GRACE_MS;
  }

  async execute(input: NotifyConnectionInput): Promise<NotifyConnectionOutcome> {
    const { message } = input;
    const notificationId = message.id ?? input.messageId;
    const payload = notificationPayload({
      id: notificationId,
      data: message.data,
      ...(message.seq === undefined || message.epoch === undefined
        ? {}
        : { seq: message.seq, epoch: message.epoch }),
    });
    if (!payload.ok) return payload;
    const result = await this.deliver(message.connectionId, payload.value);
    // The transport's own limit is below the protocol's: the message fails, so the queue
    // dead-letters it where an operator sees it, rather than being deleted unseen.
    if (result === 'refused') {
      return fail('PAYLOAD_TOO_LARGE', 'the transport refused the notification as too large');
    }
    return ok({ result, notificationId });
  }

  /**
   * Pushes a frame already built and measured, and deals with a gone socket. Throws what the
   * pusher throws (transient faults), so the caller decides about a retry.
   */
  async deliver(connectionId: ConnectionId, payload: string): Promise<Delivery> {
    const pushed = await this.pusher.push(connectionId, payload);
    if (pushed.ok) return 'delivered';
    switch (pushed.error.code) {
      case 'CONNECTION_GONE': {
        // A condition on the record's age, not a read: a socket whose $connect wrote its record
        // a moment ago gets 410 until API Gateway opens it, and must keep its record.
        const removed = await this.repository.removeIfConnectedBefore(
          connectionId,
          this.clock.now() - this.connectGraceMs,
        );
        return removed === 'kept' ? 'connecting' : 'gone';
      }
      case 'PAYLOAD_TOO_LARGE':
        return 'refused';
    }
  }
}
