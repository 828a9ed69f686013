// Fuzzing Route, the core's handler of client frames, at volume: any text a client may send
// (not JSON, JSON of the wrong shape, unknown actions, missing, wrongly typed and extra
// fields, lone surrogates, frames around and over 128 KiB) gets exactly the reply
// docs/protocol.md documents, the sender's registry record changes only on a successful
// authorize, and a good ping routed right after it on the same connection gets its pong.
// test/e2e/server-fuzz.e2e.test.ts does the same over real sockets. Counts: bounded in
// `pnpm test`, 100,000 cases in `pnpm test:soak` (test/support/soak.ts).
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { clientTextArbitrary, VALID_TOKEN } from '../support/core-arbitraries.js';
import { type Comparable, comparable, documentedReply, errorReply } from '../support/protocol-oracle.js';
import { soakCount, soakTimeout } from '../support/soak.js';
import { type Core, createCore, ExplodeAction, WhoAmIAction, LATER } from './fixture.js';

const CASES = soakCount(2_000, 100_000);
const TIMEOUT_MS = soakTimeout(30_000, 600_000);

const USER = 'u1';

/**
 * Who sends the frame: a fresh anonymous connection, a connection authorized at connect, the
 * same with the user given by the transport (API Gateway's authorizer context), or a
 * connection the registry has never seen.
 */
type Sender = 'anonymous' | 'authorized' | 'transport-user' | 'unregistered';

interface SenderState {
  readonly registered: boolean;
  readonly userId: string | null;
}

/**
 * docs/protocol.md as code (test/support/protocol-oracle.ts), plus `authorize` and the
 * fixture's two actions: `whoami` (users only: answers `authorized` with the sender's user)
 * and `explode` (a dependency fault: `INTERNAL`).
 */
function expectedReply(text: string, sender: SenderState, validToken: string): Comparable {
  return documentedReply(text, (action, { token }) => {
    switch (action) {
      case 'authorize':
        if (typeof token !== 'string' || token.length === 0) return errorReply('MALFORMED_FRAME');
        return token === validToken && sender.registered
          ? { type: 'authorized', userId: USER }
          : errorReply('UNAUTHORIZED');
      case 'whoami':
        return sender.userId === null
          ? errorReply('UNAUTHORIZED')
          : { type: 'authorized', userId: sender.userId };
      case 'explode':
        return errorReply('INTERNAL');
      default:
        return errorReply('UNKNOWN_ACTION');
    }
  });
}

let core: Core;
let validToken: string;
let sequence = 0;

beforeAll(async () => {
  core = createCore({ actions: [new WhoAmIAction(), new ExplodeAction()] });
  validToken = core.verifier.issue(USER);
  await core.connect.execute({ connectionId: 'authorized', userId: USER, expiresAt: LATER });
});

/** Routes one generated frame and a good ping behind it, and checks both replies and the registry. */
async function runCase(text: string, sender: Sender): Promise<void> {
  sequence += 1;
  const connectionId =
    sender === 'anonymous'
      ? `anonymous-${sequence}`
      : sender === 'unregistered'
        ? 'unregistered'
        : 'authorized';
  if (sender === 'anonymous') await core.connect.execute({ connectionId });
  const state: SenderState = {
    registered: sender !== 'unregistered',
    userId: sender === 'authorized' || sender === 'transport-user' ? USER : null,
  };
  const userInput = sender === 'transport-user' ? { userId: USER } : {};
  const body = text.replaceAll(VALID_TOKEN, validToken);
  const documented = expectedReply(body, state, validToken);

  const input = { connectionId, body, ...userInput };
  // The transports' fast path: when it answers, it answers exactly as `execute` does.
  const now = core.route.executeNow(input);
  const outcome = await core.route.execute(input);
  expect(now ?? outcome).toEqual(outcome);
  const after = await core.route.execute({
    connectionId,
    body: JSON.stringify({ action: 'ping', name: `after-${sequence}` }),
    ...userInput,
  });

  expect(comparable(outcome.reply)).toEqual(documented);
  expect(outcome.code).toBe(documented.type === 'error' ? documented.code : null);
  expect(JSON.parse(outcome.payload)).toEqual(outcome.reply);
  expect(after.reply).toEqual({ type: 'pong', name: `after-${sequence}` });
  // Only a successful authorize changes who the connection is (whoami answers `authorized`
  // too, but only to a connection that already is USER's).
  const userAfter = documented.type === 'authorized' ? USER : state.userId;
  const record = await core.repository.find(connectionId);
  expect(record?.userId ?? null).toBe(state.registered ? userAfter : null);
  if (sender === 'anonymous') await core.disconnect.execute({ connectionId });
}

describe('Route under fuzzing', { timeout: TIMEOUT_MS }, () => {
  it('answers every frame with its documented reply, and the good ping behind it with its pong', async () => {
    const senders = fc.constantFrom<Sender>('anonymous', 'authorized', 'transport-user', 'unregistered');
    await fc.assert(fc.asyncProperty(clientTextArbitrary, senders, runCase), { numRuns: CASES });
    // Route only replies: nothing was pushed to the socket.
    expect(core.pusher.framesOf('authorized')).toEqual([]);
  });
});
