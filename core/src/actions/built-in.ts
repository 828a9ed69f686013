import type { Action } from './action.js';
import { AuthorizeAction, type InBandAuthorization } from './authorize.js';
import { PingAction } from './ping.js';
import { ResumeAction, type StreamReader } from './resume.js';

/**
 * The names of the actions core ships, each the `action` of the frames it answers, in the
 * order the protocol reference lists them. The one list of them: {@link builtInActions} builds
 * them from it, and a deployment gives each its own two-way route (apps/lambda's topology).
 *
 * @example
 * ```ts
 * BUILT_IN_ACTIONS.includes('ping'); // true
 * ```
 */
export const BUILT_IN_ACTIONS = ['ping', 'authorize', 'resume'] as const;

/** The name of a built-in action: `ping`, `authorize` or `resume`. */
export type BuiltInActionName = (typeof BUILT_IN_ACTIONS)[number];

/**
 * What the built-in actions need, each only by the action that uses it: a transport that
 * serves `ping` alone gives neither.
 */
export interface BuiltInActionDependencies {
  /** In-band authorization, for `authorize` (the `Authorize` use case is one). */
  readonly authorize?: InBandAuthorization;
  /** The users' notification streams, for `resume` (a `NotificationStream` is one). */
  readonly stream?: StreamReader;
}

/** How each built-in action is built: the only place that maps a name to its class. */
const BUILD: { readonly [N in BuiltInActionName]: (dependencies: BuiltInActionDependencies) => Action } = {
  ping: () => new PingAction(),
  authorize: ({ authorize }) => new AuthorizeAction(needs('authorize', 'authorize', authorize)),
  resume: ({ stream }) => new ResumeAction(needs('resume', 'stream', stream)),
};

/**
 * The built-in actions `names` (all of them by default), in that order, for `Route`.
 *
 * @throws Error when an action's dependency is not given: a wiring mistake, not an outcome.
 * @example
 * ```ts
 * new Route(repository, builtInActions({ authorize, stream }));
 * new Route(repository, builtInActions({}, ['ping']));
 * ```
 */
export function builtInActions(
  dependencies: BuiltInActionDependencies,
  names: readonly BuiltInActionName[] = BUILT_IN_ACTIONS,
): Action[] {
  return names.map((name) => BUILD[name](dependencies));
}

function needs<T>(action: BuiltInActionName, dependency: string, value: T | undefined): T {
  if (value === undefined) throw new Error(`builtInActions: '${action}' needs dependencies.${dependency}`);
  return value;
}
