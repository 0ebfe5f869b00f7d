import { inject } from 'vitest';
import type { TestProject } from 'vitest/node';
import { freePort } from '@fv/testing';
import { SERVICES, startPlatform, type Platform, type ServiceName } from './platform.js';

/** What the global set-up hands the test files: where the one platform of the run answers. */
export interface SharedPlatform {
  urls: Record<ServiceName, string>;
  logs: string;
  /** The origin the services admit from a browser (the reference storefront's, in the browser tests). */
  shopOrigin: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    platform: SharedPlatform;
  }
}

/**
 * Vitest global set-up: the whole platform, started once for every test file of the run (the
 * scenarios, the Newman collections and the browser tests share it) and stopped after the last.
 * Each file keeps to ids of its own, so the files do not depend on one another's data.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const shopOrigin = `http://127.0.0.1:${await freePort()}`;
  // The services admit the storefront's page (and no other origin) to call them from the browser.
  process.env.CORS_ORIGINS = shopOrigin;
  const platform = await startPlatform();
  const urls = Object.fromEntries(SERVICES.map((name) => [name, platform.url(name)]));
  project.provide('platform', { urls: urls as SharedPlatform['urls'], logs: platform.logs, shopOrigin });
  return () => platform.stop();
}

/** The platform the global set-up started, in a test file (its `stop` is the set-up's, so a no-op here). */
export function sharedPlatform(): Platform & Pick<SharedPlatform, 'shopOrigin'> {
  const shared = inject('platform');
  if (!shared) throw new Error("no platform: add '@fv/e2e/platform-setup' to the vitest globalSetup");
  return {
    url: (name) => shared.urls[name],
    logs: shared.logs,
    shopOrigin: shared.shopOrigin,
    stop: async () => {},
  };
}
