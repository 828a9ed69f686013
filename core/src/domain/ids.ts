/** The id API Gateway (or another transport) gives a socket, e.g. `f97yeeMZDoECGqg=`. */
export type ConnectionId = string;

/** The id of a user, taken from a verified token's subject. */
export type UserId = string;

/** The id of one notification; every socket of a user gets the same id for the same notification. */
export type NotificationId = string;

/** Longest user id we accept, in UTF-16 code units. */
export const MAX_USER_ID_LENGTH = 256;

/** Longest connection id or notification id we accept, in UTF-16 code units. */
export const MAX_ID_LENGTH = 128;

/** A user id is a non-empty string of at most {@link MAX_USER_ID_LENGTH} characters with no control characters. */
export function isUserId(value: unknown): value is UserId {
  return isBoundedId(value, MAX_USER_ID_LENGTH);
}

/** A connection or notification id: non-empty, at most {@link MAX_ID_LENGTH} characters, no control characters. */
export function isId(value: unknown): value is string {
  return isBoundedId(value, MAX_ID_LENGTH);
}

function isBoundedId(value: unknown, maxLength: number): value is string {
  // Control characters would let an id forge log lines or break key encodings.
  return (
    typeof value === 'string' && value.length > 0 && value.length <= maxLength && !hasControlCharacter(value)
  );
}

function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit < 0x20 || unit === 0x7f) return true;
  }
  return false;
}
