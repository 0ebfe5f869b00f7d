import { inject } from 'vitest';
import type { Platform, ServiceName } from './platform.js';

/** What the global set-up (`platform-setup.ts`) hands the test files: where the platform answers. */
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

/** The platform the global set-up started, in a test file (stopping it is the set-up's: `stop` does nothing). */
export function sharedPlatform(): Platform & Pick<SharedPlatform, 'shopOrigin'> {
  const shared = inject('platform');
  if (!shared)
    throw new Error(
      'no platform: run the file from the e2e package, whose vitest globalSetup starts the platform',
    );
  return {
    url: (name) => shared.urls[name],
    logs: shared.logs,
    shopOrigin: shared.shopOrigin,
    stop: async () => {},
  };
}
