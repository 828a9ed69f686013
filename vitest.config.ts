import { defineConfig } from 'vitest/config';

// Four projects, so each kind of test can be run alone (`pnpm test:unit`, …).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/core/**/*.test.ts', 'test/client/**/*.test.ts', 'test/lint/**/*.test.ts'],
        },
      },
      { test: { name: 'contract', include: ['test/adapters/**/*.test.ts'] } },
      { test: { name: 'apps', include: ['test/apps/**/*.test.ts'] } },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 30_000 } },
    ],
  },
});
