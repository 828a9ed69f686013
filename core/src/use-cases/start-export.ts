import { isId, isUserId, type UserId } from '../domain/ids.js';
import { fail, ok, type Outcome } from '../domain/outcome.js';
import type { Clock } from '../ports/clock.js';
import type { Export, ExportRepository } from '../ports/export-repository.js';
import type { MessageQueue } from '../ports/message-queue.js';

/** How long a finished export can be downloaded, by default: one day. */
export const DEFAULT_EXPORT_TTL_MS = 24 * 60 * 60 * 1000;

export interface StartExportInput {
  /** The caller, from a verified token. */
  readonly userId: UserId;
  /** A fresh id chosen by the transport (API Gateway's request id on AWS). */
  readonly exportId: string;
}

export type StartExportOutcome = Outcome<{ readonly exportId: string; readonly url: string }, 'UNAUTHORIZED'>;

/**
 * `POST /exports`: runs an export job for the caller and, once it is stored, tells every
 * socket of the caller that it is ready, through `NotifyUser`:
 * `{"kind":"export.ready","exportId","url":"/exports/<id>"}`.
 *
 * The job here is small and synchronous (a summary document); what matters is the path of
 * the notification. Refuses a bad user id or export id with `UNAUTHORIZED`; queue and store
 * faults are thrown (the export may then exist without a notification: the caller retries).
 */
export class StartExport {
  constructor(
    private readonly exports: ExportRepository,
    private readonly queue: MessageQueue,
    private readonly clock: Clock,
    private readonly ttlMs: number = DEFAULT_EXPORT_TTL_MS,
  ) {}

  async execute(input: StartExportInput): Promise<StartExportOutcome> {
    if (!isUserId(input.userId) || !isId(input.exportId)) {
      return fail('UNAUTHORIZED', 'an export needs a valid user and id');
    }
    const now = this.clock.now();
    const url = exportUrl(input.exportId);
    const value: Export = {
      exportId: input.exportId,
      ownerId: input.userId,
      createdAt: now,
      expiresAt: now + this.ttlMs,
      contentType: 'application/json',
      content: JSON.stringify({ exportId: input.exportId, userId: input.userId, createdAt: now }),
    };
    await this.exports.save(value);
    // The id is the export's: a retried job, a redelivery or a redrive of this message is the
    // same notification, stored once in the user's stream and shown once.
    await this.queue.sendNotifyUser([
      {
        userId: input.userId,
        id: exportNotificationId(input.exportId),
        data: { kind: 'export.ready', exportId: input.exportId, url },
      },
    ]);
    return ok({ exportId: input.exportId, url });
  }
}

/** The notification id of an export's `export.ready`: stable, so it is shown once. */
export function exportNotificationId(exportId: string): string {
  return `export-${exportId}`.slice(0, 128);
}

/** The REST path an export is downloaded from. */
export function exportUrl(exportId: string): string {
  return `/exports/${encodeURIComponent(exportId)}`;
}
