import type { Export, ExportRepository } from '@pushline/core';

/** Exports in a `Map`, for tests and the standalone transport. */
export class InMemoryExportRepository implements ExportRepository {
  private readonly exports = new Map<string, Export>();

  save(value: Export): Promise<void> {
    this.exports.set(value.exportId, value);
    return Promise.resolve();
  }

  find(exportId: string): Promise<Export | null> {
    return Promise.resolve(this.exports.get(exportId) ?? null);
  }
}
