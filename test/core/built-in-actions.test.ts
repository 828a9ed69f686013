// BUILT_IN_ACTIONS is the one list of core's actions: each class core ships answers one name
// on it, every name has its class, and the protocol reference documents each.
import { readFile } from 'node:fs/promises';
import {
  InMemoryConnectionRepository,
  InMemoryNotificationStream,
  InMemoryTokenVerifier,
  ManualClock,
} from '@pushline/adapters/memory';
import {
  Authorize,
  AuthorizeAction,
  BUILT_IN_ACTIONS,
  defaultActions,
  PingAction,
  ResumeAction,
} from '@pushline/core';
import { describe, expect, it } from 'vitest';

const clock = new ManualClock(1_000_000);
const authorize = new Authorize(new InMemoryConnectionRepository(), new InMemoryTokenVerifier({ clock }));
const stream = new InMemoryNotificationStream({ clock, epoch: 'E' });

describe('BUILT_IN_ACTIONS', () => {
  it('names exactly the actions core ships, one class each', () => {
    const names = [new PingAction(), new AuthorizeAction(authorize), new ResumeAction(stream)].map(
      (action) => action.name,
    );
    expect([...names].sort()).toEqual([...BUILT_IN_ACTIONS].sort());
    expect(new Set(BUILT_IN_ACTIONS).size).toBe(BUILT_IN_ACTIONS.length);
  });

  it('holds the actions of defaultActions', () => {
    const names = defaultActions(authorize).map((action) => action.name);
    expect(names.every((name) => (BUILT_IN_ACTIONS as readonly string[]).includes(name))).toBe(true);
  });

  it('has a section of its own in docs/protocol.md for each', async () => {
    const protocol = await readFile(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
    const documented = [...protocol.matchAll(/^### `([a-z-]+)`$/gm)].map((match) => match[1]);
    for (const name of BUILT_IN_ACTIONS) expect(documented).toContain(name);
  });
});
