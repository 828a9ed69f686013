/**
 * Smallest HS256 secret we accept, in bytes (RFC 7518 §3.2: at least the hash size). In a
 * module of its own, without `jose`, so configuration readers can check a secret's length
 * without bundling the JWT library.
 */
export const MIN_SECRET_BYTES = 32;
