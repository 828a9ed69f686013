import type { ConnectionId } from '../domain/ids.js';
import { ok, type Outcome } from '../domain/outcome.js';
import type { ConnectionRepository } from '../ports/connection-repository.js';

export interface DisconnectInput {
  readonly connectionId: ConnectionId;
}

export type DisconnectOutcome = Outcome<{ readonly connectionId: ConnectionId }, never>;

/** `$disconnect`: forgets a socket. Idempotent; removes only that socket's record. */
export class Disconnect {
  constructor(private readonly repository: ConnectionRepository) {}

  async execute(input: DisconnectInput): Promise<DisconnectOutcome> {
    await this.repository.remove(input.connectionId);
    return ok({ connectionId: input.connectionId });
  }
}
