/**
 * The token of an `Authorization: Bearer <token>` header value (the scheme in any case, the
 * token one run of non-space characters), or `null` for a missing or different header.
 */
export function bearerToken(authorization: string | undefined): string | null {
  if (authorization === undefined) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1] ?? null;
}
