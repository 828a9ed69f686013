import { InMemoryConnectionRepository, MAX_MEMORY_PAGE_SIZE } from '@pushline/adapters/memory';
import { describe, expect, it } from 'vitest';
import { describeConnectionRepositoryContract } from '../contracts/connection-repository.contract.js';
import { connectionOf, freshScope } from '../support/arbitraries.js';

describeConnectionRepositoryContract('InMemoryConnectionRepository', () =>
  Promise.resolve({ repository: new InMemoryConnectionRepository(), dispose: () => Promise.resolve() }),
);

describe('InMemoryConnectionRepository', () => {
  it(`caps a page at ${MAX_MEMORY_PAGE_SIZE} connections whatever the limit asked`, async () => {
    const repository = new InMemoryConnectionRepository();
    const scope = freshScope();
    const user = scope.userId('many');
    for (let i = 0; i < MAX_MEMORY_PAGE_SIZE + 1; i++) {
      await repository.save(
        connectionOf(scope.connectionId(`${i}`), user, { connectedAt: 0, expiresAt: 1_000 }),
      );
    }
    const first = await repository.findByUser(user, { limit: 5_000 });
    expect(first.connections).toHaveLength(MAX_MEMORY_PAGE_SIZE);
    const second = await repository.findByUser(user, { limit: 5_000, cursor: first.cursor });
    expect(second.connections).toHaveLength(1);
    expect(second.cursor).toBeNull();
  });

  it('counts and lists what it stores', async () => {
    const repository = new InMemoryConnectionRepository();
    const scope = freshScope();
    const connection = connectionOf(scope.connectionId('a'), null, { connectedAt: 1, expiresAt: 1_000 });
    await repository.save(connection);
    expect(repository.size).toBe(1);
    expect(repository.all()).toEqual([connection]);
  });
});
