import {
  type Connection,
  DEFAULT_AUTHORIZE_DEADLINE_MS,
  DEFAULT_CONNECTION_TTL_MS,
} from '../domain/connection.js';
import { type ConnectionId, isUserId, type UserId } from '../domain/ids.js';
import { fail, ok, type Outcome } from '../domain/outcome.js';
import type { Clock } from '../ports/clock.js';
import type { ConnectionRepository } from '../ports/connection-repository.js';
import type { DeadlineScheduler } from '../ports/deadline-scheduler.js';
import type { TokenVerifier } from '../ports/token-verifier.js';
import { tokenExpiryDeadline } from './enforce-token-expiry.js';

/** Options of {@link Connect}. */
export interface ConnectOptions {
  /** Whether a socket may connect without a token and authorize in-band later. */
  readonly allowAnonymous: boolean;
  /** Lifetime of a registry record; default {@link DEFAULT_CONNECTION_TTL_MS}. */
  readonly ttlMs?: number;
  /** How long an anonymous socket may stay without authorizing; default {@link DEFAULT_AUTHORIZE_DEADLINE_MS}. */
  readonly authorizeDeadlineMs?: number;
}

/**
 * Input of {@link Connect}. Give `userId` and its token's `expiresAt` when an authorizer has
 * already verified the user (API Gateway's REQUEST authorizer), or `token` to verify here,
 * or neither for an anonymous socket.
 */
export interface ConnectInput {
  readonly connectionId: ConnectionId;
  readonly userId?: UserId;
  /** With `userId`: when the authorizer's token expires, in epoch milliseconds (required). */
  readonly expiresAt?: number;
  readonly token?: string;
}

/**
 * The stored connection and, for an anonymous one, the time by which it must authorize; for
 * a user's, when its authorization (the token) expires.
 */
export interface Connected {
  readonly connection: Connection;
  readonly authorizeBy: number | null;
  readonly authExpiresAt: number | null;
}

export type ConnectOutcome = Outcome<Connected, 'UNAUTHORIZED'>;

/**
 * `$connect`: registers a socket, as a user's or as anonymous.
 *
 * Refuses with `UNAUTHORIZED` a bad token, a bad user id or one without a future expiry, or
 * a socket without either when anonymous sockets are not allowed; nothing is stored then. Idempotent: a repeated
 * connect of the same id replaces its record.
 *
 * Given a {@link DeadlineScheduler}, it schedules the authorize deadline of every anonymous
 * socket, and the token expiry check of every user's socket, after storing it; a scheduling
 * fault is thrown, so the transport refuses the socket instead of admitting one that nothing
 * would close. Without one, the transport enforces `authorizeBy` and `authExpiresAt` itself
 * (timers in the standalone server).
 */
export class Connect {
  constructor(
    private readonly repository: ConnectionRepository,
    private readonly verifier: TokenVerifier,
    private readonly clock: Clock,
    private readonly options: ConnectOptions,
    private readonly deadlines?: DeadlineScheduler,
  ) {}

  async execute(input: ConnectInput): Promise<ConnectOutcome> {
    const user = await this.resolveUser(input);
    if (!user.ok) return user;
    const now = this.clock.now();
    const { userId, authExpiresAt } = user.value;
    if (authExpiresAt !== null && authExpiresAt <= now) return fail('UNAUTHORIZED', 'the token has expired');
    const connection: Connection = {
      connectionId: input.connectionId,
      userId,
      connectedAt: now,
      expiresAt: now + (this.options.ttlMs ?? DEFAULT_CONNECTION_TTL_MS),
      ...(authExpiresAt === null ? {} : { authExpiresAt }),
    };
    await this.repository.save(connection);
    const authorizeBy =
      userId === null ? now + (this.options.authorizeDeadlineMs ?? DEFAULT_AUTHORIZE_DEADLINE_MS) : null;
    if (this.deadlines !== undefined) {
      if (authorizeBy !== null) {
        await this.deadlines.schedule({ connectionId: input.connectionId, at: authorizeBy });
      } else if (authExpiresAt !== null) {
        await this.deadlines.schedule(tokenExpiryDeadline(input.connectionId, authExpiresAt, now));
      }
    }
    return ok({ connection, authorizeBy, authExpiresAt });
  }

  private async resolveUser(
    input: ConnectInput,
  ): Promise<Outcome<{ userId: UserId | null; authExpiresAt: number | null }, 'UNAUTHORIZED'>> {
    if (input.userId !== undefined) {
      if (!isUserId(input.userId)) return fail('UNAUTHORIZED', 'the authorizer gave no valid user id');
      if (typeof input.expiresAt !== 'number' || !Number.isFinite(input.expiresAt)) {
        return fail('UNAUTHORIZED', 'the authorizer gave no token expiry');
      }
      return ok({ userId: input.userId, authExpiresAt: input.expiresAt });
    }
    if (input.token !== undefined) {
      const verified = await this.verifier.verify(input.token);
      return verified.ok
        ? ok({ userId: verified.value.userId, authExpiresAt: verified.value.expiresAt })
        : verified;
    }
    return this.options.allowAnonymous
      ? ok({ userId: null, authExpiresAt: null })
      : fail('UNAUTHORIZED', 'a token is required to connect');
  }
}
