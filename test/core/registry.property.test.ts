// Model-based test of the registry and the use cases together: random sequences of
// Connect, Authorize, Disconnect, client-side closes, NotifyUser, draining the
// NotifyConnection queue, the authorize deadline and time passing, checked after every
// step against a model made of plain maps.
import { DEFAULT_AUTHORIZE_DEADLINE_MS, MAX_QUEUE_BATCH } from '@pushline/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { notificationDataArbitrary } from '../support/core-arbitraries.js';
import { PROPERTY_PARAMETERS } from '../support/fast-check.js';
import { connectionIdsOf, type Core, createCore, notificationsOf, WhoAmIAction } from './fixture.js';

const USERS = ['ann', 'bob', 'cy'] as const;
const START = 1_000_000;
const TTL_MS = 10_000;

interface ModelRecord {
  readonly userId: string | null;
  readonly expiresAt: number;
}

interface ModelSocket {
  open: boolean;
  /** The user the socket belongs to, once known; it never changes. */
  owner: string | null;
  /** Ids of the notifications it received, in order. */
  readonly received: string[];
}

interface PendingNotification {
  readonly connectionId: string;
  readonly notificationId: string;
  readonly userId: string;
}

class Model {
  now = START;
  connectionCount = 0;
  messageCount = 0;
  readonly records = new Map<string, ModelRecord>();
  readonly sockets = new Map<string, ModelSocket>();
  readonly pending: PendingNotification[] = [];

  /** A connection id the test knows of (open, closed or refused), or one never seen. */
  pick(index: number): string {
    const ids = [...this.sockets.keys()];
    return ids.length === 0 ? 'never-connected' : (ids[index % ids.length] ?? 'never-connected');
  }

  idsOf(userId: string): string[] {
    return [...this.records].filter(([, record]) => record.userId === userId).map(([id]) => id);
  }
}

type Command = fc.AsyncCommand<Model, Core>;

/** The registry, the sockets and the queue of the real system, compared with the model. */
async function expectSameState(model: Model, real: Core): Promise<void> {
  const stored = real.repository
    .all()
    .map(({ connectionId, userId, expiresAt }) => [connectionId, { userId, expiresAt }] as const)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const expected = [...model.records].sort(([a], [b]) => (a < b ? -1 : 1));
  expect(stored).toEqual(expected);
  for (const userId of USERS) {
    expect(await connectionIdsOf(real, userId)).toEqual(model.idsOf(userId).sort());
  }
  for (const [connectionId, socket] of model.sockets) {
    expect(real.pusher.isOpen(connectionId)).toBe(socket.open);
    const notifications = notificationsOf(real, connectionId);
    expect(notifications.map((notification) => notification.id)).toEqual(socket.received);
    for (const { data } of notifications) expect(data).toMatchObject({ to: socket.owner });
  }
  expect(real.messageQueue.notifyConnection.depth).toBe(model.pending.length);
}

/** A command that applies one step to both sides, then compares them. */
function command(label: string, apply: (model: Model, real: Core) => Promise<void> | void): Command {
  return {
    check: () => true,
    run: async (model, real) => {
      await apply(model, real);
      await expectSameState(model, real);
    },
    toString: () => label,
  };
}

type ConnectMode = 'userId' | 'token' | 'anonymous' | 'badToken';

function connectCommand(mode: ConnectMode, user: string): Command {
  return command(`connect(${mode}, ${user})`, async (model, real) => {
    const connectionId = `c${String(model.connectionCount++).padStart(3, '0')}`;
    real.pusher.open(connectionId);
    const input =
      mode === 'userId'
        ? { connectionId, userId: user }
        : mode === 'token'
          ? { connectionId, token: real.verifier.issue(user) }
          : mode === 'badToken'
            ? { connectionId, token: 'forged' }
            : { connectionId };
    const outcome = await real.connect.execute(input);
    if (mode === 'badToken') {
      expect(outcome.ok ? null : outcome.error.code).toBe('UNAUTHORIZED');
      // The gateway refuses the handshake: the socket never opens for real.
      real.pusher.close(connectionId);
      model.sockets.set(connectionId, { open: false, owner: null, received: [] });
      return;
    }
    const userId = mode === 'anonymous' ? null : user;
    const expiresAt = model.now + TTL_MS;
    expect(outcome).toEqual({
      ok: true,
      value: {
        connection: { connectionId, userId, connectedAt: model.now, expiresAt },
        authorizeBy: userId === null ? model.now + DEFAULT_AUTHORIZE_DEADLINE_MS : null,
      },
    });
    model.records.set(connectionId, { userId, expiresAt });
    model.sockets.set(connectionId, { open: true, owner: userId, received: [] });
  });
}

function authorizeCommand(pick: number, user: string, validToken: boolean, viaRoute: boolean): Command {
  const label = `authorize(#${pick}, ${validToken ? `token(${user})` : 'forged'}${viaRoute ? ', via Route' : ''})`;
  return command(label, async (model, real) => {
    const connectionId = model.pick(pick);
    const token = validToken ? real.verifier.issue(user) : 'forged';
    let granted: string | null;
    if (viaRoute) {
      const { reply } = await real.route.execute({
        connectionId,
        body: JSON.stringify({ action: 'authorize', token }),
      });
      granted = reply.type === 'authorized' ? reply.userId : null;
      if (granted === null) expect(reply).toMatchObject({ type: 'error', code: 'UNAUTHORIZED' });
    } else {
      const outcome = await real.authorize.execute({ connectionId, token });
      granted = outcome.ok ? outcome.value.userId : null;
      if (granted === null) expect(outcome).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    }
    const record = model.records.get(connectionId);
    const allowed = validToken && record !== undefined && (record.userId === null || record.userId === user);
    expect(granted).toBe(allowed ? user : null);
    if (allowed) {
      model.records.set(connectionId, { ...record, userId: user });
      const socket = model.sockets.get(connectionId);
      if (socket !== undefined) socket.owner = user;
    }
  });
}

function disconnectCommand(pick: number): Command {
  return command(`disconnect(#${pick})`, async (model, real) => {
    const connectionId = model.pick(pick);
    real.pusher.close(connectionId);
    expect(await real.disconnect.execute({ connectionId })).toEqual({ ok: true, value: { connectionId } });
    model.records.delete(connectionId);
    const socket = model.sockets.get(connectionId);
    if (socket !== undefined) socket.open = false;
  });
}

/** The client goes away and `$disconnect` is lost: the record stays until a push finds the socket gone. */
function closeSocketCommand(pick: number): Command {
  return command(`closeSocket(#${pick})`, (model, real) => {
    const connectionId = model.pick(pick);
    real.pusher.close(connectionId);
    const socket = model.sockets.get(connectionId);
    if (socket !== undefined) socket.open = false;
  });
}

function notifyUserCommand(user: string, payload: unknown): Command {
  return command(`notifyUser(${user}, ${JSON.stringify(payload)})`, async (model, real) => {
    const messageId = `m${model.messageCount++}`;
    const data = { to: user, payload };
    const batchesBefore = real.queue.notifyConnectionBatches.length;
    const outcome = await real.notifyUser.execute({ message: { userId: user, data }, messageId });
    const all = model.idsOf(user);
    const live = all.filter((id) => (model.records.get(id)?.expiresAt ?? 0) > model.now).sort();
    expect(outcome).toMatchObject({
      ok: true,
      value: {
        notificationId: messageId,
        enqueued: live.length,
        batches: Math.ceil(live.length / MAX_QUEUE_BATCH),
        expired: all.length - live.length,
      },
    });
    const batches = real.queue.notifyConnectionBatches.slice(batchesBefore);
    for (const batch of batches) expect(batch.length).toBeGreaterThan(0);
    for (const batch of batches) expect(batch.length).toBeLessThanOrEqual(MAX_QUEUE_BATCH);
    const sent = batches.flat();
    expect(sent.map((message) => message.connectionId)).toEqual(live);
    const wire = JSON.parse(JSON.stringify(data)) as unknown;
    for (const message of sent) {
      expect(message).toEqual({
        connectionId: message.connectionId,
        data: wire,
        id: messageId,
        seq: expect.any(Number) as number,
        epoch: 'E',
      });
    }
    for (const connectionId of live)
      model.pending.push({ connectionId, notificationId: messageId, userId: user });
  });
}

function drainCommand(): Command {
  return command('drainNotifyConnection()', async (model, real) => {
    const results = await real.drainNotifyConnection();
    const pending = model.pending.splice(0);
    expect(results.map((result) => result.message.connectionId)).toEqual(pending.map((p) => p.connectionId));
    for (const [index, { connectionId, notificationId, userId }] of pending.entries()) {
      const socket = model.sockets.get(connectionId);
      const open = socket?.open === true;
      expect(results[index]?.outcome).toEqual({
        ok: true,
        value: { result: open ? 'delivered' : 'gone', notificationId },
      });
      if (open) {
        expect(socket.owner).toBe(userId);
        socket.received.push(notificationId);
      } else {
        model.records.delete(connectionId);
      }
    }
  });
}

function enforceDeadlineCommand(pick: number): Command {
  return command(`enforceAuthorizeDeadline(#${pick})`, async (model, real) => {
    const connectionId = model.pick(pick);
    const outcome = await real.enforceAuthorizeDeadline.execute({ connectionId });
    const record = model.records.get(connectionId);
    const socket = model.sockets.get(connectionId);
    let result: 'gone' | 'authorized' | 'closed' = 'gone';
    if (record?.userId === null) {
      result = socket?.open === true ? 'closed' : 'gone';
      model.records.delete(connectionId);
      if (socket !== undefined) socket.open = false;
    } else if (record !== undefined) {
      result = 'authorized';
    }
    expect(outcome).toEqual({ ok: true, value: { result } });
  });
}

function whoAmICommand(pick: number): Command {
  return command(`route(whoami, #${pick})`, async (model, real) => {
    const connectionId = model.pick(pick);
    const { reply } = await real.route.execute({ connectionId, body: '{"action":"whoami"}' });
    const userId = model.records.get(connectionId)?.userId ?? null;
    if (userId === null) expect(reply).toMatchObject({ type: 'error', code: 'UNAUTHORIZED' });
    else expect(reply).toEqual({ type: 'authorized', userId });
  });
}

function advanceClockCommand(ms: number): Command {
  return command(`advanceClock(${ms})`, (model, real) => {
    real.clock.advance(ms);
    model.now += ms;
  });
}

const userArbitrary = fc.constantFrom(...USERS);
const pickArbitrary = fc.nat({ max: 1000 });

const commandsArbitrary = fc.commands<Model, Core, false>(
  [
    fc
      .tuple(fc.constantFrom<ConnectMode>('userId', 'token', 'anonymous', 'badToken'), userArbitrary)
      .map(([mode, user]) => connectCommand(mode, user)),
    fc
      .tuple(fc.constantFrom<ConnectMode>('userId', 'token', 'anonymous'), userArbitrary)
      .map(([mode, user]) => connectCommand(mode, user)),
    fc
      .tuple(pickArbitrary, userArbitrary, fc.boolean(), fc.boolean())
      .map(([pick, user, valid, viaRoute]) => authorizeCommand(pick, user, valid, viaRoute)),
    pickArbitrary.map((pick) => disconnectCommand(pick)),
    pickArbitrary.map((pick) => closeSocketCommand(pick)),
    fc.tuple(userArbitrary, notificationDataArbitrary).map(([user, data]) => notifyUserCommand(user, data)),
    fc.tuple(userArbitrary, notificationDataArbitrary).map(([user, data]) => notifyUserCommand(user, data)),
    fc.constant(null).map(() => drainCommand()),
    pickArbitrary.map((pick) => enforceDeadlineCommand(pick)),
    pickArbitrary.map((pick) => whoAmICommand(pick)),
    fc.integer({ min: 0, max: 4_000 }).map((ms) => advanceClockCommand(ms)),
  ],
  { maxCommands: 60, size: 'large' },
);

// Hundreds of runs per property: more than vitest's default 5 s on a busy machine.
describe('the registry and the use cases, against a model', { timeout: 60_000 }, () => {
  it("keeps a user's connections exactly those connected or authorized and not yet disconnected or gone", async () => {
    await fc.assert(
      fc.asyncProperty(commandsArbitrary, fc.integer({ min: 1, max: 25 }), async (commands, pageSize) => {
        await fc.asyncModelRun(
          () => ({
            model: new Model(),
            real: createCore({ now: START, ttlMs: TTL_MS, pageSize, actions: [new WhoAmIAction()] }),
          }),
          commands,
        );
      }),
      PROPERTY_PARAMETERS,
    );
  });
});
