// The reconnect windows of @pushline/client's state machine, read off its deadlines with a
// random source that always draws the top of the window.
import { type Command, ConnectionMachine } from '@pushline/client';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../bench/support/client-simulation.js';

/** A connected machine, and a function that fails the next handshake and returns the wait before the one after. */
function connected() {
  const machine = new ConnectionMachine(
    {
      ...DEFAULT_SETTINGS,
      url: 'wss://backoff.example/production',
      authorizeAt: 'connect',
      renewableToken: false,
      random: () => 0.999_999,
    },
    'token',
  );
  let now = 0;
  let socket = -1;
  const run = (commands: Command[]) => {
    for (const command of commands) {
      if (command.type === 'open') socket = command.socket;
      if (command.type === 'send') {
        const frame = JSON.parse(command.data) as { action: string; requestId: string };
        if (frame.action === 'resume')
          run(
            machine.step(now, {
              type: 'message',
              socket: command.socket,
              data: JSON.stringify({
                type: 'resumed',
                epoch: 'e',
                seq: 0,
                recovered: true,
                notifications: [],
                requestId: frame.requestId,
              }),
            }),
          );
      }
    }
  };
  run(machine.step(now, { type: 'start' }));
  run(machine.step(now, { type: 'opened', socket }));
  expect(machine.state).toBe('ready');
  now = 60_000;
  /** Closes the socket (opened or not) and returns how long the machine waits before the next attempt. */
  const lose = (opened: boolean): number => {
    run(machine.step(now, { type: 'closed', socket }));
    const wait = machine.deadline() - now;
    now += wait;
    run(machine.step(now, { type: 'tick' }));
    if (opened) run(machine.step(now, { type: 'opened', socket }));
    return Math.round(wait / 100) / 10;
  };
  return { lose };
}

describe('reconnect windows', () => {
  it('narrows after handshakes that keep failing, down to the first window, for the first 30 s of a run; then doubles to the cap', () => {
    const { lose } = connected();
    // The drop, then handshakes turned away: 5, 10, then 7, 4.9 → 5, 5 (32 s so far), then 30.
    expect([
      lose(false),
      lose(false),
      lose(false),
      lose(false),
      lose(false),
      lose(false),
      lose(false),
    ]).toEqual([5, 10, 7, 5, 5, 30, 30]);
  });

  it('doubles to the cap when sockets open and close again (the server accepts them)', () => {
    const { lose } = connected();
    expect([lose(true), lose(true), lose(true), lose(true), lose(true)]).toEqual([5, 10, 20, 30, 30]);
  });
});
