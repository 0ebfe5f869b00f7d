import { JWT_SECRET } from '@fv/e2e';
import { sharedPlatform } from '@fv/e2e/shared-platform';
import { describe, expect, it } from 'vitest';
import { runCollections, summaryLine } from '../src/run.js';

/**
 * The Postman collections of e2e/newman/collections, run by Newman against the whole platform (the
 * one the e2e package's global set-up starts for the scenarios, these and the browser tests).
 */
const platform = sharedPlatform();

describe('Newman collections', () => {
  it('pass against the platform as npm start runs it', async () => {
    const results = await runCollections(
      {
        coordination: platform.url('platform-coordination'),
        catalog: platform.url('product-catalog'),
        inventory: platform.url('inventory'),
        orders: platform.url('orders'),
        delivery: platform.url('delivery'),
        notifications: platform.url('notifications'),
      },
      JWT_SECRET,
    );
    for (const result of results) console.log(summaryLine(result));
    expect(results.length).toBeGreaterThanOrEqual(3);
    expect(results.flatMap((result) => result.failures)).toEqual([]);
    for (const result of results) {
      expect(result.assertions.total).toBeGreaterThan(0);
      expect(result.assertions.failed).toBe(0);
    }
  }, 600_000);
});
