// Plain JavaScript: vitest loads a package's vitest.config.ts through Node, which does not compile the
// TypeScript of a workspace package it reaches through node_modules.
import { defineConfig } from 'vitest/config';

/**
 * The vitest settings of a package whose integration suites (test/) run against the broker, registry and
 * databases that `@fv/testing/global-setup` starts once for the whole run.
 */
export function sharedStackTestConfig() {
  return defineConfig({
    test: {
      globalSetup: ['@fv/testing/global-setup'],
      testTimeout: 60_000,
      hookTimeout: 90_000,
      // Suites share one broker; each uses its own database, consumer groups and correlation (or order) ids.
      fileParallelism: false,
    },
  });
}
