import { type Action, type ConnectionRepository, Route } from '@pushline/core';

function unbound(): Promise<never> {
  return Promise.reject(new Error('this function binds no connection registry'));
}

/** What a registry-free Route holds: every read fails loudly, as none is expected. */
const NO_REGISTRY: ConnectionRepository = {
  save: unbound,
  find: unbound,
  remove: unbound,
  removeIfConnectedBefore: unbound,
  removeIfAnonymous: unbound,
  assignUser: unbound,
  findByUser: unbound,
};

/**
 * A `Route` whose actions all admit anonymous senders. Route reads the connection registry only
 * to learn the user of a sender whose action needs one, so this one never reads it: the
 * function binds no registry and loads no DynamoDB client. Throws if an action needs a user.
 */
export function anonymousRoute(actions: readonly Action[]): Route {
  const needUser = actions.filter((action) => !action.allowAnonymous).map((action) => action.name);
  if (needUser.length > 0) {
    throw new Error(`these actions need the connection registry: '${needUser.join("', '")}'`);
  }
  return new Route(NO_REGISTRY, actions);
}
