import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Integration suites share one broker (each with its own database, consumer group and order ids)
    // and two cores: one file at a time.
    fileParallelism: false,
    projects: [
      {
        // Rules only: no broker, registry or database.
        test: { name: 'unit', include: ['src/**/*.test.ts'] },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          globalSetup: ['@fv/testing/global-setup'],
          testTimeout: 60_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
