import type { UserConfig } from 'vitest/config';

/**
 * The vitest settings of a package whose integration suites (test/) run against the broker, registry and
 * databases that `@fv/testing/global-setup` starts once for the whole run.
 */
export function sharedStackTestConfig(): UserConfig;

/**
 * The vitest settings of a package with two projects: `unit` (src/, no broker, registry or database) and
 * `integration` (test/, on the shared stack as above), run with `--project unit` / `--project integration`.
 * `integration` adds to or overrides the integration project's settings.
 */
export function unitAndIntegrationTestConfig(integration?: NonNullable<UserConfig['test']>): UserConfig;
