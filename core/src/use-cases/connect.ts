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
 * Input of {@link Connect}. Give `userId` when an authorizer has already verified the user
 * (API Gateway's REQUEST authorizer), or `token` to verify here, or neither for an
 * anonymous socket.
 */
export interface ConnectInput {
  readonly connectionId: ConnectionId;
  readonly userId?: UserId;
  readonly token?: string;
}

/** The stored connection and, for an anonymous one, the time by which it must authorize. */
export interface Connected {
  readonly connection: Connection;
  readonly authorizeBy: number | null;
}

export type ConnectOutcome = Outcome<Connected, 'UNAUTHORIZED'>;

/**
 * `$connect`: registers a socket, as a user's or as anonymous.
 *
 * Refuses with `UNAUTHORIZED` a bad token, a bad user id, or a socket without either
 * when anonymous sockets are not allowed; nothing is stored then. Idempotent: a repeated
 * connect of the same id replaces its record.
 *
 * Given a {@link DeadlineScheduler}, it schedules the authorize deadline of every anonymous
 * socket after storing it; a scheduling fault is thrown, so the transport refuses the socket
 * instead of admitting one that nothing would close. Without one, the transport enforces
 * `authorizeBy` itself (a timer in the standalone server).
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
    const connection: Connection = {
      connectionId: input.connectionId,
      userId: user.value,
      connectedAt: now,
      expiresAt: now + (this.options.ttlMs ?? DEFAULT_CONNECTION_TTL_MS),
    };
    await this.repository.save(connection);
    const authorizeBy =
      user.value === null ? now + (this.options.authorizeDeadlineMs ?? DEFAULT_AUTHORIZE_DEADLINE_MS) : null;
    if (authorizeBy !== null && this.deadlines !== undefined) {
      await this.deadlines.schedule({ connectionId: input.connectionId, at: authorizeBy });
    }
    return ok({ connection, authorizeBy });
  }

  private async resolveUser(input: ConnectInput): Promise<Outcome<UserId | null, 'UNAUTHORIZED'>> {
    if (input.userId !== undefined) {
      return isUserId(input.userId)
        ? ok(input.userId)
        : fail('UNAUTHORIZED', 'the authorizer gave no valid user id');
    }
    if (input.token !== undefined) {
      const verified = await this.verifier.verify(input.token);
      return verified.ok ? ok(verified.value.userId) : verified;
    }
    return this.options.allowAnonymous ? ok(null) : fail('UNAUTHORIZED', 'a token is required to connect');
  }
}
