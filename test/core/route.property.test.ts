// Route, for anything a client may send.
import {
  CLIENT_ERROR_CODES,
  MAX_PAYLOAD_BYTES,
  serializeFrame,
  type ServerFrame,
  utf8ByteLength,
} from '@pushline/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientTextArbitrary, VALID_TOKEN } from '../support/core-arbitraries.js';
import { PROPERTY_PARAMETERS } from '../support/fast-check.js';
import { createCore, ExplodeAction, WhoAmIAction, LATER } from './fixture.js';

const SENDERS = ['anonymous', 'authorized', 'unregistered', 'transport-user'] as const;

function expectDocumentedFrame(reply: ServerFrame): void {
  expect(['pong', 'authorized', 'error']).toContain(reply.type);
  const allowed: Record<string, readonly string[]> = {
    pong: ['type', 'name'],
    authorized: ['type', 'userId'],
    error: ['type', 'code', 'message'],
  };
  for (const key of Object.keys(reply)) expect(allowed[reply.type]).toContain(key);
  const code = reply.type === 'error' ? reply.code : 'none';
  expect([...CLIENT_ERROR_CODES, 'none']).toContain(code);
}

// Hundreds of runs per property: more than vitest's default 5 s on a busy machine.
describe('Route', { timeout: 60_000 }, () => {
  it('answers every string with exactly one documented frame, and never throws', async () => {
    await fc.assert(
      fc.asyncProperty(clientTextArbitrary, fc.constantFrom(...SENDERS), async (text, sender) => {
        const core = createCore({ actions: [new WhoAmIAction(), new ExplodeAction()] });
        await core.connect.execute({ connectionId: 'anonymous' });
        await core.connect.execute({ connectionId: 'authorized', userId: 'u1', expiresAt: LATER });
        core.pusher.open('anonymous');
        core.pusher.open('authorized');
        const body = text.replaceAll(VALID_TOKEN, core.verifier.issue('u1'));
        const input =
          sender === 'transport-user'
            ? { connectionId: 'authorized', body, userId: 'u1' }
            : { connectionId: sender, body };

        const outcome = await core.route.execute(input);

        expectDocumentedFrame(outcome.reply);
        expect(outcome.payload).toBe(serializeFrame(outcome.reply));
        expect(JSON.parse(outcome.payload)).toStrictEqual(outcome.reply);
        expect(utf8ByteLength(outcome.payload)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
        expect(outcome.code).toBe(outcome.reply.type === 'error' ? outcome.reply.code : null);
        // The reply is the only frame: nothing was pushed to any socket.
        expect(core.pusher.framesOf('anonymous')).toEqual([]);
        expect(core.pusher.framesOf('authorized')).toEqual([]);
      }),
      PROPERTY_PARAMETERS,
    );
  });

  it('executeNow answers exactly as execute does, whenever it answers, and answers ping and bad frames', async () => {
    await fc.assert(
      fc.asyncProperty(clientTextArbitrary, fc.constantFrom(...SENDERS), async (text, sender) => {
        const core = createCore({ actions: [new WhoAmIAction(), new ExplodeAction()] });
        await core.connect.execute({ connectionId: 'anonymous' });
        await core.connect.execute({ connectionId: 'authorized', userId: 'u1', expiresAt: LATER });
        const body = text.replaceAll(VALID_TOKEN, core.verifier.issue('u1'));
        const input =
          sender === 'transport-user'
            ? { connectionId: 'authorized', body, userId: 'u1' }
            : { connectionId: sender, body };

        const now = core.route.executeNow(input);
        const later = await core.route.execute(input);
        // A frame prepared once answers exactly as its text does, at once and later.
        const prepared = { ...input, body: core.route.prepare(body) };
        const preparedNow = core.route.executeNow(prepared);

        expect(now ?? later).toStrictEqual(later);
        expect(preparedNow).toStrictEqual(now);
        // What needs no I/O is always answered at once: a bad frame, an unknown action, a ping;
        // what may need I/O never is.
        const needsNoIo = later.action === null || later.code === 'UNKNOWN_ACTION' || later.action === 'ping';
        const mayNeedIo = later.action === 'authorize' || later.action === 'whoami';
        const mustAnswerNow = needsNoIo ? true : mayNeedIo ? false : now !== null;
        expect(now !== null).toBe(mustAnswerNow);
      }),
      PROPERTY_PARAMETERS,
    );
  });

  it('lets an anonymous connection only ping and authorize', async () => {
    const frameArbitrary = fc.oneof(
      fc.constant({ kind: 'ping' as const }),
      fc.constant({ kind: 'whoami' as const }),
      fc.constant({ kind: 'unknown' as const }),
      fc.record({ kind: fc.constant('authorize' as const), valid: fc.boolean() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(frameArbitrary, { maxLength: 12 }), async (frames) => {
        const whoami = new WhoAmIAction();
        const core = createCore({ actions: [whoami] });
        await core.connect.execute({ connectionId: 'c' });
        let user: string | null = null;
        let calls = 0;
        for (const frame of frames) {
          const body =
            frame.kind === 'authorize'
              ? JSON.stringify({
                  action: 'authorize',
                  token: frame.valid ? core.verifier.issue('u1') : 'forged',
                })
              : JSON.stringify({ action: frame.kind });
          const { reply } = await core.route.execute({ connectionId: 'c', body });
          const expected =
            frame.kind === 'ping'
              ? '{"type":"pong"}'
              : frame.kind === 'unknown'
                ? 'error UNKNOWN_ACTION'
                : frame.kind === 'whoami'
                  ? user === null
                    ? 'error UNAUTHORIZED'
                    : serializeFrame({ type: 'authorized', userId: user })
                  : frame.valid
                    ? '{"type":"authorized","userId":"u1"}'
                    : 'error UNAUTHORIZED';
          expect(reply.type === 'error' ? `error ${reply.code}` : serializeFrame(reply)).toBe(expected);
          if (frame.kind === 'authorize' && frame.valid) user = 'u1';
          if (frame.kind === 'whoami' && user !== null) calls += 1;
          expect(whoami.calls).toBe(calls);
        }
      }),
      PROPERTY_PARAMETERS,
    );
  });
});
