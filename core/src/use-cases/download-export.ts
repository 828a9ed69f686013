import type { UserId } from '../domain/ids.js';
import { fail, ok, type Outcome } from '../domain/outcome.js';
import type { Clock } from '../ports/clock.js';
import type { Export, ExportRepository } from '../ports/export-repository.js';

export interface DownloadExportInput {
  /** The caller, from a verified token. */
  readonly userId: UserId;
  readonly exportId: string;
}

export type DownloadExportOutcome = Outcome<Export, 'EXPORT_NOT_FOUND'>;

/**
 * `GET /exports/{id}`: the export, for its owner only. An unknown id, an expired export and
 * someone else's export all answer `EXPORT_NOT_FOUND`, so a caller cannot learn which ids exist.
 */
export class DownloadExport {
  constructor(
    private readonly exports: ExportRepository,
    private readonly clock: Clock,
  ) {}

  async execute(input: DownloadExportInput): Promise<DownloadExportOutcome> {
    const found = await this.exports.find(input.exportId);
    if (found === null || found.ownerId !== input.userId || found.expiresAt <= this.clock.now()) {
      return fail('EXPORT_NOT_FOUND', 'no such export');
    }
    return ok(found);
  }
}
