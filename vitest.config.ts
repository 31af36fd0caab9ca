import { defineConfig } from 'vitest/config';

// Three kinds of test, named by suffix (docs/conventions.md §7): unit tests are pure and fast; int and e2e
// tests talk to the real Kafka, Postgres, PostgREST and Chromium that scripts/stack.sh starts.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['**/*.unit.test.ts'], exclude: ['**/node_modules/**'] } },
      {
        test: {
          name: 'int',
          include: ['**/*.int.test.ts'],
          exclude: ['**/node_modules/**'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          globalSetup: ['./packages/testkit/src/global-setup.ts'],
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['**/*.e2e.test.ts'],
          exclude: ['**/node_modules/**'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          globalSetup: ['./packages/testkit/src/global-setup.ts'],
          fileParallelism: false,
        },
      },
    ],
  },
});
