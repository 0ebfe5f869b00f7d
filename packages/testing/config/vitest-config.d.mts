import type { UserConfig } from 'vitest/config';

/**
 * The vitest settings of a package whose integration suites (test/) run against the broker, registry and
 * databases that `@fv/testing/global-setup` starts once for the whole run.
 */
export function sharedStackTestConfig(): UserConfig;
