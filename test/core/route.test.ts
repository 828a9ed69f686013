import { type Action, CLIENT_ERROR_CODES, type ConnectionRepository, Route } from '@pushline/core';
import { InMemoryConnectionRepository } from '@pushline/adapters/memory';
import { describe, expect, it } from 'vitest';
import { createCore, ExplodeAction, WhoAmIAction, LATER } from './fixture.js';

function setup() {
  const whoami = new WhoAmIAction();
  const core = createCore({ actions: [whoami, new ExplodeAction()] });
  const send = (body: string, connectionId = 'c1', userId?: string) =>
    core.route.execute({ connectionId, body, ...(userId === undefined ? {} : { userId }) });
  return { core, whoami, send };
}

describe('Route', () => {
  it('answers a ping with a pong carrying the name', async () => {
    const { send } = setup();
    const outcome = await send('{"action":"ping","name":"Stepan"}');
    expect(outcome).toEqual({
      reply: { type: 'pong', name: 'Stepan' },
      payload: '{"type":"pong","name":"Stepan"}',
      action: 'ping',
      code: null,
      fault: null,
      authorized: null,
    });
  });

  it('answers a ping without a name with a bare pong', async () => {
    const { send } = setup();
    expect((await send('{"action":"ping"}')).payload).toBe('{"type":"pong"}');
  });

  it('answers a ping with a non-string name with MALFORMED_FRAME', async () => {
    const { send } = setup();
    const outcome = await send('{"action":"ping","name":42}');
    expect(outcome.reply).toEqual({
      type: 'error',
      code: 'MALFORMED_FRAME',
      message: "'name' must be a string",
    });
    expect(outcome.code).toBe('MALFORMED_FRAME');
    expect(outcome.action).toBe('ping');
  });

  it('answers text that is not JSON with MALFORMED_FRAME and no action', async () => {
    const { send } = setup();
    const outcome = await send('ping');
    expect(outcome.code).toBe('MALFORMED_FRAME');
    expect(outcome.action).toBeNull();
  });

  it('answers a frame over 128 KiB with PAYLOAD_TOO_LARGE', async () => {
    const { send } = setup();
    const outcome = await send(`{"action":"ping","name":"${'a'.repeat(131072)}"}`);
    expect(outcome.code).toBe('PAYLOAD_TOO_LARGE');
    expect(outcome.action).toBeNull();
  });

  it('answers an unknown action with UNKNOWN_ACTION', async () => {
    const { send } = setup();
    const outcome = await send('{"action":"x"}');
    expect(outcome.reply).toEqual({
      type: 'error',
      code: 'UNKNOWN_ACTION',
      message: "action 'x' is not implemented",
    });
    expect(outcome.action).toBe('x');
  });

  it('shortens a long unknown action name in the error message', async () => {
    const { send } = setup();
    const outcome = await send(JSON.stringify({ action: 'y'.repeat(1000) }));
    expect(outcome.reply).toEqual({
      type: 'error',
      code: 'UNKNOWN_ACTION',
      message: `action '${'y'.repeat(64)}…' is not implemented`,
    });
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'answers the inherited property name %s with UNKNOWN_ACTION',
    async (action) => {
      const { send } = setup();
      expect((await send(JSON.stringify({ action }))).code).toBe('UNKNOWN_ACTION');
    },
  );

  it('authorizes an anonymous connection in-band', async () => {
    const { core, send } = setup();
    await core.connect.execute({ connectionId: 'c1' });
    const token = core.verifier.issue('u1');
    const outcome = await send(JSON.stringify({ action: 'authorize', token }));
    expect(outcome.reply).toEqual({ type: 'authorized', userId: 'u1' });
    expect((await core.repository.find('c1'))?.userId).toBe('u1');
  });

  it('puts the granted user and expiry on the outcome, as the registry records them', async () => {
    const { core, send } = setup();
    await core.connect.execute({ connectionId: 'c1' });
    const outcome = await send(JSON.stringify({ action: 'authorize', token: core.verifier.issue('u1') }));
    const record = await core.repository.find('c1');
    expect(record?.authExpiresAt).toEqual(expect.any(Number));
    expect(outcome.authorized).toEqual({ userId: 'u1', expiresAt: record?.authExpiresAt });
    expect(JSON.parse(outcome.payload)).toEqual({ type: 'authorized', userId: 'u1' });
  });

  it('executes a prepared frame as it executes its text, including one that needs I/O', async () => {
    const { core, send } = setup();
    await core.connect.execute({ connectionId: 'c1' });
    const text = JSON.stringify({ action: 'authorize', token: core.verifier.issue('u1'), requestId: 'r1' });
    const prepared = core.route.prepare(text);
    expect(core.route.executeNow({ connectionId: 'c1', body: prepared })).toBeNull();
    const fromPrepared = await core.route.execute({ connectionId: 'c1', body: prepared });
    expect(fromPrepared).toEqual(await send(text));
    expect(fromPrepared.payload).toBe('{"type":"authorized","userId":"u1","requestId":"r1"}');
  });

  it('puts no authorization on the outcome of a refused authorize or of another action', async () => {
    const { core, send } = setup();
    await core.connect.execute({ connectionId: 'c1' });
    expect((await send('{"action":"authorize","token":"forged"}')).authorized).toBeNull();
    expect((await send('{"action":"whoami"}', 'c1', 'u1')).authorized).toBeNull();
  });

  it('answers an authorize with a bad token with UNAUTHORIZED and keeps the connection anonymous', async () => {
    const { core, send } = setup();
    await core.connect.execute({ connectionId: 'c1' });
    const outcome = await send('{"action":"authorize","token":"forged"}');
    expect(outcome.code).toBe('UNAUTHORIZED');
    expect((await core.repository.find('c1'))?.userId).toBeNull();
  });

  it.each([
    ['no token', '{"action":"authorize"}'],
    ['an empty token', '{"action":"authorize","token":""}'],
    ['a numeric token', '{"action":"authorize","token":1}'],
  ])('answers an authorize with %s with MALFORMED_FRAME', async (_, body) => {
    const { core, send } = setup();
    await core.connect.execute({ connectionId: 'c1' });
    expect((await send(body)).code).toBe('MALFORMED_FRAME');
  });

  it('answers an anonymous sender of an action that needs a user with UNAUTHORIZED, without calling it', async () => {
    const { core, whoami, send } = setup();
    await core.connect.execute({ connectionId: 'c1' });
    const outcome = await send('{"action":"whoami"}');
    expect(outcome.reply).toEqual({
      type: 'error',
      code: 'UNAUTHORIZED',
      message: "authorize before using 'whoami'",
    });
    expect(whoami.calls).toBe(0);
  });

  it('answers an unregistered sender of an action that needs a user with UNAUTHORIZED', async () => {
    const { whoami, send } = setup();
    expect((await send('{"action":"whoami"}', 'ghost')).code).toBe('UNAUTHORIZED');
    expect(whoami.calls).toBe(0);
  });

  it('passes the registry’s user to an action that needs one', async () => {
    const { core, send } = setup();
    await core.connect.execute({ connectionId: 'c1', userId: 'u1', expiresAt: LATER });
    expect((await send('{"action":"whoami"}')).reply).toEqual({ type: 'authorized', userId: 'u1' });
  });

  it('trusts the user the transport gives, without reading the registry', async () => {
    const whoami = new WhoAmIAction();
    const repository = new InMemoryConnectionRepository();
    const reads: string[] = [];
    const spy: ConnectionRepository = {
      save: (c) => repository.save(c),
      remove: (id) => repository.remove(id),
      removeIfAnonymous: (id) => repository.removeIfAnonymous(id),
      removeIfConnectedBefore: (id, before) => repository.removeIfConnectedBefore(id, before),
      assignUser: (id, user) => repository.assignUser(id, user),
      findByUser: (user, options) => repository.findByUser(user, options),
      find: (id) => {
        reads.push(id);
        return repository.find(id);
      },
    };
    const route = new Route(spy, [whoami]);
    const outcome = await route.execute({ connectionId: 'c1', body: '{"action":"whoami"}', userId: 'u9' });
    expect(outcome.reply).toEqual({ type: 'authorized', userId: 'u9' });
    expect(reads).toEqual([]);
  });

  it('answers a fault in an action with INTERNAL, keeping the fault for the log only', async () => {
    const { send } = setup();
    const outcome = await send('{"action":"explode"}');
    expect(outcome.reply).toEqual({
      type: 'error',
      code: 'INTERNAL',
      message: 'the server failed to handle this frame',
    });
    expect(outcome.fault).toBeInstanceOf(Error);
    expect(outcome.payload).not.toContain('fire');
  });

  it('answers a registry fault with INTERNAL', async () => {
    const repository = new InMemoryConnectionRepository();
    const broken: ConnectionRepository = {
      save: (c) => repository.save(c),
      remove: (id) => repository.remove(id),
      removeIfAnonymous: (id) => repository.removeIfAnonymous(id),
      removeIfConnectedBefore: (id, before) => repository.removeIfConnectedBefore(id, before),
      assignUser: (id, user) => repository.assignUser(id, user),
      findByUser: (user, options) => repository.findByUser(user, options),
      find: () => Promise.reject(new Error('throttled')),
    };
    const route = new Route(broken, [new WhoAmIAction()]);
    const outcome = await route.execute({ connectionId: 'c1', body: '{"action":"whoami"}' });
    expect(outcome.code).toBe('INTERNAL');
  });

  it('answers a reply over 128 KiB with PAYLOAD_TOO_LARGE', async () => {
    const big: Action = {
      name: 'big',
      allowAnonymous: true,
      handle: () => Promise.resolve({ type: 'pong', name: 'b'.repeat(131072) }),
    };
    const route = new Route(new InMemoryConnectionRepository(), [big]);
    const outcome = await route.execute({ connectionId: 'c1', body: '{"action":"big"}' });
    expect(outcome.code).toBe('PAYLOAD_TOO_LARGE');
    expect(outcome.action).toBe('big');
  });

  it('answers a ping whose pong would grow past 128 KiB with PAYLOAD_TOO_LARGE', async () => {
    const { send } = setup();
    // A lone surrogate takes 3 bytes on the way in and 6 (`\ud800`) on the way out.
    const outcome = await send(`{"action":"ping","name":"${'\ud800'.repeat(40_000)}"}`);
    expect(outcome.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses to register two actions with the same name', () => {
    expect(
      () => new Route(new InMemoryConnectionRepository(), [new WhoAmIAction(), new WhoAmIAction()]),
    ).toThrow("action 'whoami' is registered twice");
  });

  it('lists its actions', () => {
    const { core } = setup();
    expect(core.route.actionNames).toEqual(['ping', 'authorize', 'whoami', 'explode']);
  });

  it('uses only the documented client error codes', () => {
    expect(CLIENT_ERROR_CODES).toEqual([
      'MALFORMED_FRAME',
      'UNKNOWN_ACTION',
      'PAYLOAD_TOO_LARGE',
      'UNAUTHORIZED',
      // Sent by a transport's rate limit (the standalone server), never by Route.
      'RATE_LIMITED',
      'INTERNAL',
    ]);
  });
});
