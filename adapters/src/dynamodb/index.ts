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
