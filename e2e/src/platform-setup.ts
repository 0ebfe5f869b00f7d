import type { TestProject } from 'vitest/node';
import { freePort } from '@fv/testing';
import { SERVICES, startPlatform } from './platform.js';
import { startTraceCollector } from './trace-collector.js';
import type { SharedPlatform } from './shared-platform.js';

/**
 * Vitest global set-up: the whole platform, started once for every test file of the run (the
 * scenarios, the Newman collections and the browser tests share it; each reads it with
 * `sharedPlatform()`) and stopped after the last. Each file keeps to ids of its own, so the files do
 * not depend on one another's data. (It runs outside the test workers: no `vitest` import here.)
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const shopOrigin = `http://127.0.0.1:${await freePort()}`;
  // The services admit the storefront's page (and no other origin) to call them from the browser.
  process.env.CORS_ORIGINS = shopOrigin;
  // Every service exports its spans over OTLP/http, configured as in production by OTEL_* variables.
  const traces = await startTraceCollector();
  process.env.OTEL_TRACES_EXPORTER = 'otlp';
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = traces.url;
  process.env.OTEL_BSP_SCHEDULE_DELAY = '200';
  // The workflow documents link each saga to its trace (checked by the order saga scenario).
  process.env.TRACE_URL_TEMPLATE = 'http://traces.invalid/trace/{traceId}';
  const platform = await startPlatform();
  const urls = Object.fromEntries(SERVICES.map((name) => [name, platform.url(name)]));
  const shared: SharedPlatform = {
    urls: urls as SharedPlatform['urls'],
    paymentProviderUrl: platform.paymentProviderUrl,
    logs: platform.logs,
    shopOrigin,
    tracesUrl: traces.url,
  };
  project.provide('platform', shared);
  return async () => {
    await platform.stop();
    await traces.close();
  };
}
