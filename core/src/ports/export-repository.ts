import type { UserId } from '../domain/ids.js';

/** A finished export: a document one user asked for, to download from the REST API. */
export interface Export {
  readonly exportId: string;
  /** The user who asked for it; nobody else may download it. */
  readonly ownerId: UserId;
  /** When it was made, in epoch milliseconds. */
  readonly createdAt: number;
  /** When it may be forgotten, in epoch milliseconds. */
  readonly expiresAt: number;
  /** The media type of `content`, e.g. `application/json`. */
  readonly contentType: string;
  /** The document itself (small: an export is a summary, not a bulk download). */
  readonly content: string;
}

/**
 * Where finished exports are kept until their owner downloads them.
 *
 * Guarantees: `save` is an idempotent upsert; `find` returns what was saved, or `null`, except
 * that `expiresAt` is kept at least to the second, rounded up (DynamoDB's TTL is in seconds), so an
 * export never expires early. Infrastructure faults are thrown.
 *
 * @example
 * ```ts
 * await exports.save({ exportId: 'e-1', ownerId: 'u1', createdAt: now, expiresAt: now + day, contentType: 'application/json', content: '{}' });
 * const found = await exports.find('e-1');
 * ```
 */
export interface ExportRepository {
  save(value: Export): Promise<void>;
  find(exportId: string): Promise<Export | null>;
}
