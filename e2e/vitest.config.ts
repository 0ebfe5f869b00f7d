import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The platform runs once for all scenarios (started in each file's beforeAll through a shared module).
    testTimeout: 180_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
