// The ExportRepository contract, run against each of its adapters: in memory, and DynamoDB on
// dynalite (a real DynamoDB protocol peer, in process on 127.0.0.1).
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbExportRepository, exportsTableDefinition } from '@pushline/adapters/dynamodb';
import { InMemoryExportRepository } from '@pushline/adapters/memory';
import { describeExportRepositoryContract } from '../contracts/export-repository.contract.js';
import { startDynalite } from '../support/aws-peers.js';

describeExportRepositoryContract(
  'InMemoryExportRepository',
  () =>
    Promise.resolve({
      repository: new InMemoryExportRepository(),
      unreachable: null,
      dispose: () => Promise.resolve(),
    }),
  { hasStore: false },
);

describeExportRepositoryContract(
  'DynamoDbExportRepository on dynalite',
  async () => {
    const dynamo = await startDynalite();
    const tableName = 'exports-contract';
    await dynamo.client.send(new CreateTableCommand(exportsTableDefinition(tableName)));
    return {
      repository: new DynamoDbExportRepository({ client: dynamo.client, tableName }),
      // A table that was never created: DynamoDB answers ResourceNotFoundException.
      unreachable: new DynamoDbExportRepository({ client: dynamo.client, tableName: 'exports-missing' }),
      dispose: () => dynamo.close(),
    };
  },
  { hasStore: true },
);
