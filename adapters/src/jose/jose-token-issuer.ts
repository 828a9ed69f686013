import { SignJWT } from 'jose';
import { MIN_SECRET_BYTES } from './min-secret-bytes.js';

/** Options of {@link JoseTokenIssuer}. */
export interface JoseTokenIssuerOptions {
  /** The HS256 secret shared with the verifier, at least 32 bytes. */
  readonly secret: string;
  /** `iss` of issued tokens, when set. */
  readonly issuer?: string;
  /** `aud` of issued tokens, when set. */
  readonly audience?: string;
  /** Lifetime of a token in seconds; default 900 (15 minutes). */
  readonly ttlSeconds?: number;
}

/**
 * Issues short-lived HS256 tokens for a user id: the development token endpoint
 * (`POST /token`). Production uses the identity provider's tokens instead.
 */
export class JoseTokenIssuer {
  private readonly key: Uint8Array;

  constructor(private readonly options: JoseTokenIssuerOptions) {
    this.key = new TextEncoder().encode(options.secret);
    if (this.key.byteLength < MIN_SECRET_BYTES) {
      throw new RangeError(`the token secret must be at least ${MIN_SECRET_BYTES} bytes`);
    }
  }

  /** A signed token whose subject is `userId`. */
  async issue(userId: string): Promise<{ token: string; expiresAt: number }> {
    const now = Math.floor(Date.now() / 1000);
    const expiresAt = now + (this.options.ttlSeconds ?? 900);
    let jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(userId);
    jwt = jwt.setIssuedAt(now).setExpirationTime(expiresAt);
    if (this.options.issuer !== undefined) jwt = jwt.setIssuer(this.options.issuer);
    if (this.options.audience !== undefined) jwt = jwt.setAudience(this.options.audience);
    return { token: await jwt.sign(this.key), expiresAt: expiresAt * 1000 };
  }
}
