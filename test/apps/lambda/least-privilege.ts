// The least privilege of every Lambda entry, for both checks of sst.config.ts: the stubbed
// evaluation (sst-config.test.ts) and SST's real components (sst-real.test.ts), each with the
// ARNs its evaluation gives the resources. What each entry is granted is ENTRIES' grants, read
// here as sst.config.ts reads them; what a grant may be at all is checked apart from them, by
// `leastPrivilegeProblems`, from the entries' needs.
import { CONNECTIONS_TABLE } from '@pushline/adapters/dynamodb';
import {
  type Entry,
  ENTRIES,
  ENV,
  envFor,
  type GrantResource,
  grantsOf,
  type QueueName,
  type TableName,
} from '@pushline/lambda/config';
import { QUEUES, TABLES } from '@pushline/lambda/topology';

/** The ARNs of the resources the functions are granted access to, as one evaluation names them. */
export interface DeployedArns {
  readonly table: (name: TableName) => string;
  readonly queue: (name: QueueName) => string;
  /** `<execution ARN>/*\/*\/@connections/*`: the Management API of the WebSocket API. */
  readonly manageConnections: string;
}

/** The connections table's by-user index, as IAM names it. */
const byUserIndexArn = (arns: DeployedArns): string =>
  `${arns.table('Connections')}/index/${CONNECTIONS_TABLE.byUserIndex.name}`;

/** The ARN of a grant's resource in one evaluation. */
function grantArn(resource: GrantResource, arns: DeployedArns): string {
  if (resource === 'ConnectionsByUser') return byUserIndexArn(arns);
  if (resource === '@connections') return arns.manageConnections;
  const table = TABLES.find(({ name }) => name === resource);
  if (table !== undefined) return arns.table(table.name);
  const queue = QUEUES.find(({ name }) => name === resource);
  if (queue !== undefined) return arns.queue(queue.name);
  throw new Error(`no ARN for ${resource}`);
}

/** `entry -> action -> resources` (sorted) that sst.config.ts grants: ENTRIES' grants, by `grantsOf`. */
export function leastPrivilege(arns: DeployedArns): Record<Entry, Record<string, string[]>> {
  const byEntry = {} as Record<Entry, Record<string, string[]>>;
  for (const entry of Object.keys(ENTRIES) as Entry[]) {
    const byAction: Record<string, string[]> = {};
    for (const { resource, actions } of grantsOf(entry)) {
      for (const action of actions) {
        byAction[action] = [...(byAction[action] ?? []), grantArn(resource, arns)].sort();
      }
    }
    byEntry[entry] = byAction;
  }
  return byEntry;
}

/** The entries that touch no table, queue or socket: they get no rights at all. */
const NO_RIGHTS: readonly Entry[] = ['authorizer', 'default', 'ping', 'token'];

/**
 * What is wrong with rights granted to entries (`entry -> action -> resources`), apart from what
 * ENTRIES' grants say: a right for an entry of {@link NO_RIGHTS}; a wildcard action; a resource
 * that is not one table, index, queue or `@connections` of this deploy (so no `*`); an action of
 * another service than its resource's; and a right no need of the entry backs. A need backs a
 * resource when it configures the variable that names it (`envFor`): a table's name, a queue's
 * URL, the management endpoint for `@connections`.
 */
export function leastPrivilegeProblems(
  granted: Readonly<Partial<Record<string, Readonly<Record<string, readonly string[]>>>>>,
  arns: DeployedArns,
): string[] {
  const variableOf = new Map<string, string>([
    ...TABLES.map(({ name, nameVariable }): [string, string] => [arns.table(name), nameVariable]),
    [byUserIndexArn(arns), ENV.connectionsTable],
    ...QUEUES.map(({ name, urlVariable }): [string, string] => [arns.queue(name), urlVariable]),
    [arns.manageConnections, ENV.managementEndpoint],
  ]);
  const problems: string[] = [];
  for (const [entry, byAction = {}] of Object.entries(granted)) {
    const rights = Object.keys(byAction);
    if (NO_RIGHTS.includes(entry as Entry) && rights.length > 0) {
      problems.push(`${entry} needs no rights, but may ${rights.join(', ')}`);
    }
    const { required, optional } = envFor(entry as Entry);
    const configured = new Set<string>([...required, ...optional]);
    for (const [action, resources] of Object.entries(byAction)) {
      if (action.includes('*')) problems.push(`${entry}: wildcard action ${action}`);
      for (const resource of resources) {
        const variable = variableOf.get(resource);
        if (variable === undefined) {
          problems.push(`${entry}: ${action} on ${resource}, not one resource of this deploy`);
          continue;
        }
        if (action.split(':')[0] !== resource.split(':')[2]) {
          problems.push(`${entry}: ${action} on ${resource}, of another service`);
        }
        if (!configured.has(variable)) {
          problems.push(`${entry}: ${action} on ${resource}, which no need of it configures (${variable})`);
        }
      }
    }
  }
  return problems;
}
