import { randomUUID } from 'node:crypto';
import { topicOf, type EventMap, type EventName } from '@fv/contracts';
import { percentile } from '@fv/service-kit';
import { startGroupAtEnd, uniqueName, waitFor, type TestDatabase } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyticsEvents } from '../../src/analytics/analytics-events.js';
import { analyticsGroupOf } from '../../src/analytics/analytics-module.js';
import type { CoordinationRuntime } from '../../src/runtime.js';
import { closeProducer, kafka, OrderStory, publish } from '../workflows/saga-support.js';
import { admin, startCoordination, testDatabase } from '../support.js';

// The analytics read model fed through the broker: the figures of both endpoints, recomputed here from
// the events this suite publishes. Their occurredAt lie two hours back, where no other suite publishes.

const MINUTE = 60_000;
const BASE = Math.floor(Date.now() / MINUTE) * MINUTE - 2 * 60 * MINUTE;
const FROM = new Date(BASE).toISOString();
const TO = new Date(BASE + 15 * MINUTE).toISOString();

let database: TestDatabase;
let runtime: CoordinationRuntime;
const published: { name: EventName; event: EventMap[EventName] }[] = [];

async function send<N extends EventName>(name: N, event: EventMap[N]) {
  await publish(name, event);
  published.push({ name, event: event as EventMap[EventName] });
}

const products = [randomUUID(), randomUUID(), randomUUID()];
type Line = { productId: string; quantity: number; unitPrice: string };
const cents = (amount: string) => Math.round(Number(amount) * 100);
const money = (value: number) => (value / 100).toFixed(2);

interface Plan {
  story: OrderStory;
  createdAt: number;
  currency: string;
  lines: Line[];
  /** Step delays (ms) after creation: reserved, paid, confirmed, scheduled, completed. */
  steps?: number[];
  failure?: { via: 'OrderFailed' | 'OrderCancelled'; reason: string; compensated: boolean };
  completedFirst?: boolean;
}

const total = (lines: Line[]) =>
  money(lines.reduce((sum, line) => sum + line.quantity * cents(line.unitPrice), 0));

const plans: Plan[] = (
  [
    {
      currency: 'USD',
      lines: [{ productId: products[0]!, quantity: 2, unitPrice: '10.00' }],
      steps: [200, 900, 1000, 4000, 5000],
    },
    {
      currency: 'USD',
      lines: [
        { productId: products[0]!, quantity: 1, unitPrice: '10.00' },
        { productId: products[1]!, quantity: 3, unitPrice: '4.50' },
      ],
      steps: [300, 1500, 1600, 7000, 9000],
    },
    {
      currency: 'EUR',
      lines: [{ productId: products[2]!, quantity: 5, unitPrice: '7.25' }],
      steps: [100, 700, 800, 2000, 2500],
    },
    {
      currency: 'EUR',
      lines: [{ productId: products[1]!, quantity: 1, unitPrice: '4.50' }],
      steps: [400, 1100, 1300, 3000, 60_000],
      completedFirst: true,
    },
    {
      currency: 'USD',
      lines: [{ productId: products[2]!, quantity: 1, unitPrice: '99.99' }],
      failure: { via: 'OrderFailed', reason: 'PAYMENT_FAILED', compensated: true },
    },
    {
      currency: 'USD',
      lines: [{ productId: products[0]!, quantity: 9, unitPrice: '10.00' }],
      failure: { via: 'OrderCancelled', reason: 'INVENTORY_ERROR', compensated: false },
    },
  ] satisfies Omit<Plan, 'story' | 'createdAt'>[]
).map((plan, index) => ({ ...plan, story: new OrderStory(), createdAt: BASE + index * 2 * MINUTE + 5_000 }));

const at = <E extends { occurredAt: number }>(event: E, occurredAt: number): E => ({ ...event, occurredAt });

async function publishOrder(plan: Plan) {
  const { story } = plan;
  const created = {
    ...at(story.created(), plan.createdAt),
    currency: plan.currency,
    totalAmount: total(plan.lines),
    items: plan.lines.map((line) => ({ ...line, sku: null, warehouseId: 'wh-001' })),
  };
  const completed = plan.steps
    ? {
        ...at(story.completed(), plan.createdAt + plan.steps[4]!),
        currency: plan.currency,
        totalAmount: total(plan.lines),
      }
    : null;
  if (completed && plan.completedFirst) await send('OrderCompleted', completed);
  await send('OrderCreated', created);
  if (plan.steps) {
    const [reserved, paid, confirmed, scheduled] = plan.steps.map((delay) => plan.createdAt + delay);
    await send('InventoryReserved', at(story.reserved(), reserved!));
    await send('PaymentProcessed', at(story.paid(), paid!));
    await send('OrderConfirmed', at(story.confirmed(), confirmed!));
    await send('DeliveryScheduled', at(story.scheduled(), scheduled!));
    if (!plan.completedFirst) await send('OrderCompleted', completed!);
    return;
  }
  const failure = plan.failure!;
  if (failure.via === 'OrderCancelled') {
    await send('InventoryReservationFailed', {
      ...at(story.reservationFailed(), plan.createdAt + 500),
      unavailableItems: [{ productId: plan.lines[0]!.productId, requestedQuantity: 9, availableQuantity: 1 }],
    });
    await send('OrderCancelled', {
      ...at(
        story.event('OrderCancelled', {
          customerId: story.customerId,
          customerEmail: null,
          reason: failure.reason,
          reasonDetails: null,
          initiatedBy: 'SYSTEM',
          previousStatus: 'PENDING',
        }),
        plan.createdAt + 1000,
      ),
    });
    return;
  }
  await send('InventoryReserved', at(story.reserved(), plan.createdAt + 200));
  await send('PaymentFailed', at(story.paymentFailed(), plan.createdAt + 700));
  const released = story.event('InventoryReleased', {
    reservationId: story.reservationId,
    items: [],
    reason: 'COMPENSATION',
  });
  await send('InventoryReleased', at(released, plan.createdAt + 900));
  const failed = story.event('OrderFailed', {
    customerId: story.customerId,
    customerEmail: null,
    reason: failure.reason,
    reasonDetails: null,
    previousStatus: 'PAYMENT_PENDING',
  });
  await send('OrderFailed', at(failed, plan.createdAt + 1000));
}

const returnId = randomUUID();
const refund = { orderId: plans[1]!.story.orderId, amount: '13.50', currency: 'USD' };

async function publishReturnAndStock() {
  const story = plans[1]!.story;
  const returned = [{ productId: products[1]!, quantity: 3, reason: 'DAMAGED', condition: null }];
  const start = BASE + 8 * MINUTE;
  const base = { returnId, customerId: story.customerId, items: returned };
  await send('ReturnRequested', at(story.event('ReturnRequested', { ...base, reason: 'DAMAGED' }), start));
  await send(
    'ReturnReceived',
    at(story.event('ReturnReceived', { ...base, warehouseId: 'wh-001' }), start + 30_000),
  );
  const refunded = story.event('PaymentRefunded', {
    paymentId: story.paymentId,
    refundId: randomUUID(),
    amount: refund.amount,
    currency: refund.currency,
    reason: 'RETURN_RECEIVED',
    provider: 'simulator',
    providerReference: null,
    returnId,
  });
  await send('PaymentRefunded', at(refunded, start + 40_000));
  const adjusted = {
    eventId: randomUUID(),
    occurredAt: start + 35_000,
    correlationId: returnId,
    causationId: null,
    producer: 'test',
    productId: products[1]!,
    warehouseId: 'wh-001',
    quantityChange: 3,
    previousQuantity: 10,
    newQuantity: 13,
    reason: 'RETURN',
    reference: returnId,
    adjustedBy: null,
  };
  await send('InventoryAdjusted', adjusted);
  const stock = (name: 'ProductOutOfStock' | 'LowStockAlert', productId: string, minute: number) => ({
    eventId: randomUUID(),
    occurredAt: BASE + minute * MINUTE,
    correlationId: productId,
    causationId: null,
    producer: 'test',
    productId,
  });
  await send('ProductOutOfStock', { ...stock('ProductOutOfStock', products[0]!, 3), sku: 'SKU-0' });
  for (const minute of [4, 6])
    await send('LowStockAlert', {
      ...stock('LowStockAlert', products[0]!, minute),
      warehouseId: 'wh-001',
      availableQuantity: 1,
      threshold: 5,
    });
}

beforeAll(async () => {
  database = await testDatabase('analytics');
  const serviceName = uniqueName('coordination');
  await startGroupAtEnd(
    kafka,
    analyticsGroupOf(serviceName),
    analyticsEvents().map((name) => topicOf(name)),
  );
  runtime = await startCoordination(database, {
    SERVICE_NAME: serviceName,
    ANALYTICS_ENABLED: 'true',
    LIVE_CONFIG: 'false',
  });
  await waitFor(() => runtime.consumers.every((consumer) => consumer.joined), {
    timeoutMs: 60_000,
    description: 'the analytics joining its group',
  });
  for (const plan of plans) await publishOrder(plan);
  await publishReturnAndStock();
  // A redelivery: the same event (same id) a second time changes nothing.
  const again = published.find((entry) => entry.name === 'OrderCompleted')!;
  await publish('OrderCompleted', again.event as EventMap['OrderCompleted']);
  const consumed = new Set<EventName>(analyticsEvents());
  const ids = [
    ...new Set(published.filter((entry) => consumed.has(entry.name)).map((entry) => entry.event.eventId)),
  ];
  await waitFor(
    async () => {
      const [row] = await runtime.context.prisma.$queryRawUnsafe<{ count: number }[]>(
        'select count(*)::int as count from processed_events where consumer_group = $1 and event_id = any($2::uuid[])',
        analyticsGroupOf(serviceName),
        ids,
      );
      return row!.count === ids.length ? true : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200, description: 'the analytics applying every event' },
  );
});
afterAll(async () => {
  await runtime?.stop();
  await closeProducer();
  await database?.dispose();
});

async function get(path: string) {
  const response = await runtime.app.inject({
    method: 'GET',
    url: `/api/v1${path}`,
    headers: { authorization: admin },
  });
  return { code: response.statusCode, body: response.json() };
}

const completedPlans = () => plans.filter((plan) => plan.steps);
const failedPlans = () => plans.filter((plan) => plan.failure);

describe('the analytics endpoints', () => {
  it('count orders per minute, conversion, revenue net of refunds and top products as the events say', async () => {
    const { code, body } = await get(`/analytics/dashboard?from=${FROM}&to=${TO}&top=10`);
    expect(code).toBe(200);
    const minuteOf = (time: number) => new Date(Math.floor(time / MINUTE) * MINUTE).toISOString();
    const expected = new Map<string, { created: number; completed: number; failed: number }>();
    for (let minute = BASE; minute < BASE + 15 * MINUTE; minute += MINUTE)
      expected.set(new Date(minute).toISOString(), { created: 0, completed: 0, failed: 0 });
    for (const { name, event } of published) {
      const point = expected.get(minuteOf(event.occurredAt))!;
      if (name === 'OrderCreated') point.created += 1;
      if (name === 'OrderCompleted') point.completed += 1;
      if (
        name === 'OrderFailed' ||
        (name === 'OrderCancelled' && (event as EventMap['OrderCancelled']).initiatedBy === 'SYSTEM')
      )
        point.failed += 1;
    }
    expect(body.ordersPerMinute).toEqual([...expected].map(([minute, counts]) => ({ minute, ...counts })));

    expect(body.conversion).toEqual({
      created: plans.length,
      completed: completedPlans().length,
      failed: failedPlans().length,
      rate: Math.round((completedPlans().length / plans.length) * 10_000) / 10_000,
    });

    const revenue = new Map<string, { orders: number; gross: number; refunded: number }>();
    for (const plan of completedPlans()) {
      const sum = revenue.get(plan.currency) ?? { orders: 0, gross: 0, refunded: 0 };
      sum.orders += 1;
      sum.gross += cents(total(plan.lines));
      if (plan.story.orderId === refund.orderId) sum.refunded += cents(refund.amount);
      revenue.set(plan.currency, sum);
    }
    expect(body.revenue).toEqual(
      [...revenue]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([currency, sum]) => ({
          currency,
          orders: sum.orders,
          gross: money(sum.gross),
          refunded: money(sum.refunded),
          net: money(sum.gross - sum.refunded),
        })),
    );

    const sold = new Map<string, { productId: string; currency: string; units: number; revenue: number }>();
    for (const plan of completedPlans())
      for (const line of plan.lines) {
        const id = `${line.productId}/${plan.currency}`;
        const row = sold.get(id) ?? {
          productId: line.productId,
          currency: plan.currency,
          units: 0,
          revenue: 0,
        };
        row.units += line.quantity;
        row.revenue += line.quantity * cents(line.unitPrice);
        sold.set(id, row);
      }
    const top = [...sold.values()].sort(
      (a, b) => b.units - a.units || b.revenue - a.revenue || a.productId.localeCompare(b.productId),
    );
    expect(body.topProducts).toEqual(top.map((row) => ({ ...row, revenue: money(row.revenue) })));
  });

  it('count stock-outs per product from the three stock events', async () => {
    const { body } = await get(`/analytics/dashboard?from=${FROM}&to=${TO}`);
    const counts = new Map<
      string,
      { outOfStock: number; reservationFailures: number; lowStockAlerts: number }
    >();
    const row = (productId: string) => {
      const found = counts.get(productId) ?? { outOfStock: 0, reservationFailures: 0, lowStockAlerts: 0 };
      counts.set(productId, found);
      return found;
    };
    for (const { name, event } of published) {
      if (name === 'ProductOutOfStock')
        row((event as EventMap['ProductOutOfStock']).productId).outOfStock += 1;
      if (name === 'LowStockAlert') row((event as EventMap['LowStockAlert']).productId).lowStockAlerts += 1;
      if (name === 'InventoryReservationFailed')
        for (const item of (event as EventMap['InventoryReservationFailed']).unavailableItems)
          row(item.productId).reservationFailures += 1;
    }
    expect(body.stockOuts).toEqual(
      expect.arrayContaining([...counts].map(([productId, figures]) => ({ productId, ...figures }))),
    );
    expect(body.stockOuts).toHaveLength(counts.size);
  });

  it('rate failures and compensations by reason, and latency per workflow type and step', async () => {
    const { code, body } = await get(`/analytics/metrics?from=${FROM}&to=${TO}`);
    expect(code).toBe(200);
    const rate = (part: number, whole: number) => Math.round((part / whole) * 10_000) / 10_000;
    expect(body.failures).toEqual(
      expect.arrayContaining(
        failedPlans().map((plan) => ({
          reason: plan.failure!.reason,
          failed: 1,
          failureRate: rate(1, plans.length),
          compensated: plan.failure!.compensated ? 1 : 0,
          compensationRate: plan.failure!.compensated ? 1 : 0,
        })),
      ),
    );
    expect(body.failures).toHaveLength(failedPlans().length);

    const fulfillment = body.latency.find(
      (entry: { workflowType: string }) => entry.workflowType === 'ORDER_FULFILLMENT',
    );
    const p = (values: number[], q: number) =>
      percentile(
        [...values].sort((a, b) => a - b),
        q,
      );
    const totals = completedPlans().map((plan) => plan.steps![4]!);
    expect(fulfillment.total).toEqual({
      count: totals.length,
      p50: p(totals, 50),
      p95: p(totals, 95),
      p99: p(totals, 99),
    });
    const names = [
      'INVENTORY_RESERVED',
      'PAYMENT_PROCESSED',
      'ORDER_CONFIRMED',
      'DELIVERY_SCHEDULED',
      'ORDER_COMPLETED',
    ];
    const reservedOfFailure = failedPlans()
      .filter((plan) => plan.failure!.via === 'OrderFailed')
      .map(() => 200);
    expect(fulfillment.steps).toEqual(
      names.map((step, index) => {
        const durations = completedPlans().map(
          (plan) => plan.steps![index]! - (index === 0 ? 0 : plan.steps![index - 1]!),
        );
        if (index === 0) durations.push(...reservedOfFailure);
        return {
          step,
          latency: {
            count: durations.length,
            p50: p(durations, 50),
            p95: p(durations, 95),
            p99: p(durations, 99),
          },
        };
      }),
    );
    const returns = body.latency.find(
      (entry: { workflowType: string }) => entry.workflowType === 'RETURN_PROCESSING',
    );
    const reachedAt = (name: EventName) =>
      published.find(
        (entry) =>
          entry.name === name &&
          'returnId' in entry.event &&
          (entry.event as { returnId?: string | null }).returnId === returnId,
      )!.event.occurredAt;
    const requested = reachedAt('ReturnRequested');
    const refunded = reachedAt('PaymentRefunded');
    const restocked = published.find((entry) => entry.name === 'InventoryAdjusted')!.event.occurredAt;
    expect(returns.total).toMatchObject({ count: 1, p50: Math.max(refunded, restocked) - requested });
  });

  it('answer 400 in the error envelope for a window that is reversed, too long or not a date', async () => {
    for (const query of [
      `from=${TO}&to=${FROM}`,
      'from=2026-01-01T00:00:00Z&to=2026-01-03T00:00:00Z',
      'from=yesterday',
      'top=0',
    ]) {
      const { code, body } = await get(`/analytics/dashboard?${query}`);
      expect(code, query).toBe(400);
      expect(body.error).toMatchObject({ code: 'INVALID_REQUEST' });
      expect(typeof body.error.traceId).toBe('string');
    }
    const { code } = await get('/analytics/metrics?to=2026-01-01T00:00:00Z&from=2026-01-01T00:00:00Z');
    expect(code).toBe(400);
  });
});
