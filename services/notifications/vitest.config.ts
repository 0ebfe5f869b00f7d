import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['@fv/testing/global-setup'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
    // Suites share one broker; each uses its own database, consumer groups and correlation ids.
    fileParallelism: false,
  },
});
