// BUILT_IN_ACTIONS is the one list of core's actions: builtInActions builds each from it, and
// the protocol reference documents each.
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
  builtInActions,
  defaultActions,
  PingAction,
  ResumeAction,
} from '@pushline/core';
import { describe, expect, it } from 'vitest';

const clock = new ManualClock(1_000_000);
const authorize = new Authorize(new InMemoryConnectionRepository(), new InMemoryTokenVerifier({ clock }));
const stream = new InMemoryNotificationStream({ clock, epoch: 'E' });

describe('BUILT_IN_ACTIONS and builtInActions', () => {
  it('builds every built-in action, in the list’s order, each answering its own name', () => {
    const actions = builtInActions({ authorize, stream });
    expect(actions.map((action) => action.name)).toEqual([...BUILT_IN_ACTIONS]);
    expect(new Set(actions.map((action) => action.constructor)).size).toBe(BUILT_IN_ACTIONS.length);
    expect(actions[0]).toBeInstanceOf(PingAction);
    expect(actions[1]).toBeInstanceOf(AuthorizeAction);
    expect(actions[2]).toBeInstanceOf(ResumeAction);
  });

  it('builds only the actions named, and needs only their dependencies', () => {
    expect(builtInActions({}, ['ping']).map((action) => action.name)).toEqual(['ping']);
    expect(builtInActions({ stream }, ['resume']).map((action) => action.name)).toEqual(['resume']);
    expect(() => builtInActions({ authorize }, ['resume'])).toThrow(
      "builtInActions: 'resume' needs dependencies.stream",
    );
    expect(() => builtInActions({ stream })).toThrow(
      "builtInActions: 'authorize' needs dependencies.authorize",
    );
    expect(defaultActions(authorize).map((action) => action.name)).toEqual(['ping', 'authorize']);
  });

  it('has a section of its own in docs/protocol.md for each', async () => {
    const protocol = await readFile(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
    const documented = [...protocol.matchAll(/^### `([a-z-]+)`$/gm)].map((match) => match[1]);
    for (const name of BUILT_IN_ACTIONS) expect(documented).toContain(name);
  });
});
