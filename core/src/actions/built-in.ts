/**
 * The names of the actions core ships, each the `action` of the frames it answers:
 * {@link PingAction}, {@link AuthorizeAction} and {@link ResumeAction}, in the order the
 * protocol reference lists them. The one list of them: a deployment gives each its own
 * two-way route (apps/lambda's topology), and a test checks each class's `name` against it.
 *
 * @example
 * ```ts
 * BUILT_IN_ACTIONS.includes('ping'); // true
 * ```
 */
export const BUILT_IN_ACTIONS = ['ping', 'authorize', 'resume'] as const;

/** The name of a built-in action: `ping`, `authorize` or `resume`. */
export type BuiltInActionName = (typeof BUILT_IN_ACTIONS)[number];
