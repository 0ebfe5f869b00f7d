import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventMap, EventName } from '@fv/contracts';
import { openDatabase, type Database } from '@fv/database';
import type { EventHandler, HandlerContext } from '@fv/messaging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsHandlers } from './analytics-events.js';
import { AnalyticsService } from './analytics-service.js';

// The read model's writes on the schema its migrations create, applied in any order.

const migrations = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../prisma/migrations');
let db: Database;
const sql = {
  $queryRawUnsafe: async <T>(query: string, ...values: unknown[]) => (await db.query(query, values)) as T,
  $executeRawUnsafe: async (query: string, ...values: unknown[]) => (await db.query(query, values)).length,
};

beforeAll(async () => {
  db = await openDatabase({ kind: 'pglite', dataDir: null });
  for (const dir of readdirSync(migrations)
    .filter((name) => /^\d/.test(name))
    .sort())
    await db.exec(readFileSync(path.join(migrations, dir, 'migration.sql'), 'utf8'));
});
afterAll(async () => db.close());

const T0 = Date.parse('2026-12-04T10:00:00Z');
const window = { from: new Date(T0), to: new Date(T0 + 3_600_000) };
const handlers = analyticsHandlers();

async function apply<N extends EventName>(name: N, payload: Partial<EventMap[N]>, at: number) {
  const handler = handlers[name] as EventHandler<N>;
  const event = { eventId: `${name}-${at}`, occurredAt: at, producer: 'test', ...payload } as EventMap[N];
  await handler(event, { tx: sql } as unknown as HandlerContext);
}

const created = (orderId: string, at: number) =>
  apply(
    'OrderCreated',
    {
      orderId,
      currency: 'USD',
      totalAmount: '30.00',
      items: [{ productId: 'p-1', sku: null, quantity: 3, unitPrice: '10.00', warehouseId: 'wh-1' }],
    },
    at,
  );
const completed = (orderId: string, at: number) =>
  apply('OrderCompleted', { orderId, currency: 'USD', totalAmount: '30.00' }, at);

describe('the analytics read model', () => {
  it('counts an order completed before its creation arrived once both are in', async () => {
    await completed('o-1', T0 + 90_000);
    await created('o-1', T0 + 10_000);
    await completed('o-1', T0 + 95_000);
    const analytics = new AnalyticsService(sql);
    const dashboard = await analytics.dashboard(window, 10);
    expect(dashboard.conversion).toEqual({ created: 1, completed: 1, failed: 0, rate: 1 });
    expect(dashboard.revenue).toEqual([
      { currency: 'USD', orders: 1, gross: '30.00', refunded: '0.00', net: '30.00' },
    ]);
    expect(dashboard.topProducts).toEqual([
      { productId: 'p-1', currency: 'USD', units: 3, revenue: '30.00' },
    ]);
    expect(dashboard.ordersPerMinute.slice(0, 2)).toEqual([
      { minute: '2026-12-04T10:00:00.000Z', created: 1, completed: 0, failed: 0 },
      { minute: '2026-12-04T10:01:00.000Z', created: 0, completed: 1, failed: 0 },
    ]);
    const fulfillment = dashboard.latency.find((entry) => entry.workflowType === 'ORDER_FULFILLMENT')!;
    expect(fulfillment.total).toEqual({ count: 1, p50: 80_000, p95: 80_000, p99: 80_000 });
  });

  it("prefers OrderFailed's reason to a system cancellation, counts the order once, skips a customer's", async () => {
    await created('o-2', T0 + 20_000);
    await apply(
      'OrderCancelled',
      { orderId: 'o-2', reason: 'PAYMENT_DECLINED', initiatedBy: 'SYSTEM' },
      T0 + 30_000,
    );
    await apply('InventoryReleased', { orderId: 'o-2' }, T0 + 29_000);
    await apply('OrderFailed', { orderId: 'o-2', reason: 'PAYMENT_FAILED' }, T0 + 31_000);
    // A system cancellation after OrderFailed changes neither the reason nor the count.
    await apply('OrderCancelled', { orderId: 'o-2', reason: 'TIMEOUT', initiatedBy: 'SYSTEM' }, T0 + 32_000);
    await created('o-3', T0 + 20_000);
    await apply(
      'OrderCancelled',
      { orderId: 'o-3', reason: 'CHANGED_MIND', initiatedBy: 'CUSTOMER' },
      T0 + 40_000,
    );
    const metrics = await new AnalyticsService(sql).metrics(window);
    expect(metrics.failures).toEqual([
      { reason: 'PAYMENT_FAILED', failed: 1, failureRate: 0.3333, compensated: 1, compensationRate: 1 },
    ]);
    expect(metrics.conversion).toEqual({ created: 3, completed: 1, failed: 1, rate: 0.3333 });
    const [minute] = (await new AnalyticsService(sql).dashboard(window, 10)).ordersPerMinute;
    expect(minute).toEqual({ minute: '2026-12-04T10:00:00.000Z', created: 3, completed: 0, failed: 1 });
  });

  it('counts orders per minute from their rows, whole minutes that start before the window ends', async () => {
    const base = T0 + 2 * 3_600_000;
    await created('m-1', base + 10_000);
    await completed('m-1', base + 70_000);
    await created('m-2', base + 100_000);
    await apply('OrderFailed', { orderId: 'm-2', reason: 'PAYMENT_FAILED' }, base + 110_000);
    await created('m-3', base + 130_000);
    const counts = await new AnalyticsService(sql).dashboard(
      { from: new Date(base), to: new Date(base + 90_000) },
      10,
    );
    expect(counts.ordersPerMinute).toEqual([
      { minute: new Date(base).toISOString(), created: 1, completed: 0, failed: 0 },
      { minute: new Date(base + 60_000).toISOString(), created: 1, completed: 1, failed: 1 },
    ]);
  });
});
