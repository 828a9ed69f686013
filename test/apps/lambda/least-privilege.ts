// The least privilege of every Lambda entry: exactly these actions, on these resources. One
// table for both checks of sst.config.ts: the stubbed evaluation (sst-config.test.ts) and SST's
// real components (sst-real.test.ts), each with the ARNs its evaluation gives the resources.
import { CONNECTIONS_TABLE } from '@pushline/adapters/dynamodb';
import type { Entry } from '@pushline/lambda/config';

/** The ARNs of the resources the functions are granted access to, as one evaluation names them. */
export interface DeployedArns {
  readonly connectionsTable: string;
  readonly exportsTable: string;
  readonly notificationsTable: string;
  readonly queue: (name: 'NotifyUser' | 'NotifyConnection' | 'Deadlines') => string;
  /** `<execution ARN>/*\/*\/@connections/*`: the Management API of the WebSocket API. */
  readonly manageConnections: string;
}

/** `entry -> action -> resources` (sorted) that sst.config.ts grants through `permissions`. */
export function leastPrivilege(arns: DeployedArns): Record<Entry, Record<string, string[]>> {
  const table = arns.connectionsTable;
  return {
    authorizer: {},
    connect: { 'dynamodb:PutItem': [table], 'sqs:SendMessage': [arns.queue('Deadlines')] },
    disconnect: { 'dynamodb:DeleteItem': [table] },
    default: {},
    ping: {},
    authorize: {
      'dynamodb:GetItem': [table],
      'dynamodb:UpdateItem': [table],
      'sqs:SendMessage': [arns.queue('Deadlines')],
    },
    'notify-user': {
      'dynamodb:Query': [`${table}/index/${CONNECTIONS_TABLE.byUserIndex.name}`],
      'sqs:SendMessage': [arns.queue('NotifyConnection')],
      'dynamodb:DeleteItem': [table],
      'dynamodb:GetItem': [table, arns.notificationsTable].sort(),
      'dynamodb:PutItem': [arns.notificationsTable],
      'execute-api:ManageConnections': [arns.manageConnections],
    },
    'notify-connection': {
      'dynamodb:DeleteItem': [table],
      'dynamodb:GetItem': [table],
      'execute-api:ManageConnections': [arns.manageConnections],
    },
    resume: {
      'dynamodb:GetItem': [table, arns.notificationsTable].sort(),
      'dynamodb:Query': [arns.notificationsTable],
    },
    deadline: {
      'dynamodb:GetItem': [table],
      'dynamodb:DeleteItem': [table],
      'execute-api:ManageConnections': [arns.manageConnections],
      'sqs:SendMessage': [arns.queue('Deadlines')],
    },
    token: {},
    'create-export': {
      'dynamodb:PutItem': [arns.exportsTable],
      'sqs:SendMessage': [arns.queue('NotifyUser')],
    },
    'get-export': { 'dynamodb:GetItem': [arns.exportsTable] },
  };
}
