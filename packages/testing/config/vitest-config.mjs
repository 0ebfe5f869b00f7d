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
      ...SHARED_STACK,
      // Suites share one broker; each uses its own database, consumer groups and correlation (or order) ids.
      fileParallelism: false,
    },
  });
}

/** What an integration suite needs: the stack started once for the run, and bounds that allow for it. */
const SHARED_STACK = {
  globalSetup: ['@fv/testing/global-setup'],
  testTimeout: 60_000,
  hookTimeout: 90_000,
};

/**
 * The vitest settings of a package with two projects: `unit` (src/, no broker, registry or database) and
 * `integration` (test/, on the shared stack as above), run with `--project unit` / `--project integration`.
 * `integration` adds to or overrides the integration project's settings.
 */
export function unitAndIntegrationTestConfig(integration = {}) {
  return defineConfig({
    test: {
      // Integration suites share one broker (each with its own database, consumer groups and ids) and
      // two cores: one file at a time.
      fileParallelism: false,
      projects: [
        { test: { name: 'unit', include: ['src/**/*.test.ts'] } },
        { test: { name: 'integration', include: ['test/**/*.test.ts'], ...SHARED_STACK, ...integration } },
      ],
    },
  });
}
