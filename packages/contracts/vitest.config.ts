import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The integration tests talk to a real registry, broker or database, on a machine the other
    // packages' suites share: seconds, not the 5 s default, under load.
    testTimeout: 60_000,
    hookTimeout: 90_000,
  },
});
