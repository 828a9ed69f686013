import type { IncomingMessage } from 'node:http';

/**
 * Reads a whole request or response body; `undefined` when it is over `limit` bytes. The rest
 * of an oversized body is still read (and dropped), so the connection stays usable.
 */
export function readBody(
  message: IncomingMessage,
  limit = Number.POSITIVE_INFINITY,
): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    message.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    message.on('end', () => {
      resolve(size <= limit ? Buffer.concat(chunks) : undefined);
    });
    message.on('error', reject);
  });
}
