export {
  CONNECTIONS_TABLE,
  connectionsTableDefinition,
  createConnectionsTable,
  type CreateConnectionsTableOptions,
} from './connections-table.js';
export {
  DynamoDbConnectionRepository,
  type DynamoDbConnectionRepositoryOptions,
  MAX_DYNAMODB_PAGE_SIZE,
} from './dynamodb-connection-repository.js';
export {
  DynamoDbExportRepository,
  type DynamoDbExportRepositoryOptions,
  EXPORTS_TABLE,
  exportsTableDefinition,
} from './dynamodb-export-repository.js';
export {
  DynamoDbNotificationStream,
  type DynamoDbNotificationStreamOptions,
  META_RETENTION_MS,
  NOTIFICATIONS_TABLE,
  notificationsTableDefinition,
  RECENT_IDS,
} from './dynamodb-notification-stream.js';
