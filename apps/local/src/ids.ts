import { randomBytes } from 'node:crypto';

/**
 * An id in the shape API Gateway uses for connection and request ids: 11 random bytes in
 * URL-safe base64 (15 characters) and a trailing `=`, e.g. `BFHPhfCWIAMCKlQ=`. The `=` is what
 * makes URL-encoding mistakes (`%3D`) show up locally as they would on AWS.
 */
export function awsStyleId(): string {
  // One crypto call per 512 ids: ids are minted several times per message.
  if (poolOffset + ID_BYTES > pool.length) {
    pool = randomBytes(ID_BYTES * 512);
    poolOffset = 0;
  }
  const id = `${pool.toString('base64url', poolOffset, poolOffset + ID_BYTES)}=`;
  poolOffset += ID_BYTES;
  return id;
}

const ID_BYTES = 11;
let pool = Buffer.alloc(0);
let poolOffset = 0;

/** What the gateway accepts as a connection id on `@connections` before looking it up (else 400). */
export const WELL_FORMED_CONNECTION_ID = /^[A-Za-z0-9_+=-]{1,128}$/;

/** An `X-Amzn-Trace-Id` value: `Root=1-<epoch seconds, hex>-<24 hex digits>`. */
export function traceId(nowMs: number): string {
  return `Root=1-${Math.floor(nowMs / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Common Log Format time, as in `requestContext.requestTime`: `11/Nov/2024:11:35:24 +0000`. */
export function clfTime(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedClf = formatClf(epochMs);
  }
  return cachedClf;
}

let cachedSecond = Number.NaN;
let cachedClf = '';

function formatClf(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number): string => String(n).padStart(2, '0');
  const month = MONTHS[d.getUTCMonth()] ?? 'Jan';
  return (
    `${two(d.getUTCDate())}/${month}/${d.getUTCFullYear()}:` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
  );
}
