import { inject } from 'vitest';
import type { Platform, ServiceName } from './platform.js';
import type { CollectedSpan } from './trace-collector.js';

/** What the global set-up (`platform-setup.ts`) hands the test files: where the platform answers. */
export interface SharedPlatform {
  urls: Record<ServiceName, string>;
  /** The payment provider simulator's address. */
  paymentProviderUrl: string;
  logs: string;
  /** The origin the services admit from a browser (the reference storefront's, in the browser tests). */
  shopOrigin: string;
  /** Where the set-up's trace collector answers `GET /spans?traceId=` (the services export to it). */
  tracesUrl: string;
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
    paymentProviderUrl: shared.paymentProviderUrl,
    logs: shared.logs,
    shopOrigin: shared.shopOrigin,
    stop: async () => {},
  };
}

/** The spans the shared platform's services exported, by trace (read from the set-up's collector). */
export function sharedTraces(): { spans(traceId: string): Promise<CollectedSpan[]> } {
  const shared = inject('platform');
  if (!shared) throw new Error('no platform: run the file from the e2e package');
  return {
    spans: async (traceId) => {
      const response = await fetch(`${shared.tracesUrl}/spans?traceId=${encodeURIComponent(traceId)}`);
      if (!response.ok) throw new Error(`the trace collector answered ${response.status}`);
      return (await response.json()) as CollectedSpan[];
    },
  };
}
