import { MAX_PAYLOAD_BYTES, serializeFrame, utf8ByteLength } from '../domain/frame.js';
import type { NotificationId } from '../domain/ids.js';
import { fail, ok, type Outcome } from '../domain/outcome.js';
import type { NotifyConnectionMessage } from '../domain/queue-messages.js';
import type { ConnectionPusher } from '../ports/connection-pusher.js';
import type { ConnectionRepository } from '../ports/connection-repository.js';

export interface NotifyConnectionInput {
  readonly message: NotifyConnectionMessage;
  /** The id the transport gave the message; the notification's id unless the message has one. */
  readonly messageId: string;
}

/** `delivered`: the frame was sent. `gone`: the socket no longer exists and its record was removed. */
export type NotifyConnectionOutcome = Outcome<
  { readonly result: 'delivered' | 'gone'; readonly notificationId: NotificationId },
  'PAYLOAD_TOO_LARGE'
>;

/**
 * NotifyConnection: pushes `{"type":"notification","id","data"}` to one socket.
 *
 * A gone socket (410) removes exactly its own record and is a success, not a retry.
 * A frame over {@link MAX_PAYLOAD_BYTES} is refused with `PAYLOAD_TOO_LARGE` before anything
 * is sent. Transient faults (`TRANSIENT_FAILURE`) are thrown so the transport retries.
 */
export class NotifyConnection {
  constructor(
    private readonly pusher: ConnectionPusher,
    private readonly repository: ConnectionRepository,
  ) {}

  async execute(input: NotifyConnectionInput): Promise<NotifyConnectionOutcome> {
    const { message } = input;
    const notificationId = message.id ?? input.messageId;
    const payload = serializeFrame({ type: 'notification', id: notificationId, data: message.data });
    const size = utf8ByteLength(payload);
    if (size > MAX_PAYLOAD_BYTES) {
      return fail(
        'PAYLOAD_TOO_LARGE',
        `notification of ${size} bytes exceeds the limit of ${MAX_PAYLOAD_BYTES} bytes`,
      );
    }
    const pushed = await this.pusher.push(message.connectionId, payload);
    if (pushed.ok) return ok({ result: 'delivered', notificationId });
    switch (pushed.error.code) {
      case 'CONNECTION_GONE':
        await this.repository.remove(message.connectionId);
        return ok({ result: 'gone', notificationId });
      case 'PAYLOAD_TOO_LARGE':
        return fail('PAYLOAD_TOO_LARGE', pushed.error.message);
    }
  }
}
