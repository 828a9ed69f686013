import type { RawData } from 'ws';

/**
 * The bytes of a `ws` message, whatever form `ws` delivered them in (one `Buffer`, the
 * fragments of a message as `Buffer[]`, or an `ArrayBuffer`, as `binaryType` says).
 */
export function rawDataBytes(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** The text of a `ws` message: its bytes ({@link rawDataBytes}) read as UTF-8. */
export function rawDataText(data: RawData): string {
  return rawDataBytes(data).toString('utf8');
}
