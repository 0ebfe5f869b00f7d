import { percentile } from '@fv/service-kit';
import { describe, expect, it } from 'vitest';
import {
  conversion,
  failureRates,
  minuteSeries,
  percentilesOf,
  revenueByCurrency,
  windowOf,
  workflowLatencies,
  type InstanceSteps,
} from './analytics-domain.js';

const order = (key: string, times: Record<string, number>): InstanceSteps => ({
  workflowType: 'ORDER_FULFILLMENT',
  instanceKey: key,
  reached: new Map(Object.entries(times)),
});

describe('analytics aggregation', () => {
  it('takes p50/p95/p99 by nearest rank with the shared helper, whatever the input order', () => {
    const values = Array.from({ length: 200 }, (_, index) => ((index * 37) % 200) + 1);
    const sorted = [...values].sort((a, b) => a - b);
    expect(percentilesOf(values)).toEqual({
      count: 200,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
    });
    expect(percentilesOf(values)).toMatchObject({ p50: 100, p95: 190, p99: 198 });
    expect(percentilesOf([])).toEqual({ count: 0, p50: null, p95: null, p99: null });
  });

  it('measures each step from its predecessor and the workflow only over the instances that finished', () => {
    const latencies = workflowLatencies([
      order('a', {
        ORDER_CREATED: 0,
        INVENTORY_RESERVED: 100,
        PAYMENT_PROCESSED: 300,
        ORDER_CONFIRMED: 350,
        DELIVERY_SCHEDULED: 950,
        ORDER_COMPLETED: 1000,
      }),
      order('b', { ORDER_CREATED: 0, INVENTORY_RESERVED: 500 }),
      {
        workflowType: 'RETURN_PROCESSING',
        instanceKey: 'r',
        reached: new Map([
          ['RETURN_REQUEST', 0],
          ['RETURN_RECEIPT', 1000],
          ['RESTOCK', 1200],
          ['REFUND_PROCESSING', 1500],
          ['CUSTOMER_NOTIFICATION', 1600],
        ]),
      },
    ]);
    const fulfillment = latencies.find((entry) => entry.workflowType === 'ORDER_FULFILLMENT')!;
    expect(fulfillment.total).toEqual({ count: 1, p50: 1000, p95: 1000, p99: 1000 });
    const reserved = fulfillment.steps.find((entry) => entry.step === 'INVENTORY_RESERVED')!;
    expect(reserved.latency).toEqual({ count: 2, p50: 100, p95: 500, p99: 500 });
    const scheduled = fulfillment.steps.find((entry) => entry.step === 'DELIVERY_SCHEDULED')!;
    expect(scheduled.latency.p50).toBe(600);
    const returns = latencies.find((entry) => entry.workflowType === 'RETURN_PROCESSING')!;
    // Refund and restock both follow the receipt; the return finishes with the later of the two.
    expect(returns.total.p50).toBe(1500);
    expect(returns.steps.map((entry) => [entry.step, entry.latency.p50])).toEqual([
      ['RETURN_RECEIPT', 1000],
      ['REFUND_PROCESSING', 500],
      ['RESTOCK', 200],
      ['CUSTOMER_NOTIFICATION', 100],
    ]);
    const replenishment = latencies.find((entry) => entry.workflowType === 'INVENTORY_REPLENISHMENT')!;
    expect(replenishment.total.count).toBe(0);
  });

  it('converts created orders into completed ones, null when none were created', () => {
    expect(conversion({ created: 8, completed: 5, failed: 2 })).toEqual({
      created: 8,
      completed: 5,
      failed: 2,
      rate: 0.625,
    });
    expect(conversion({ created: 0, completed: 0, failed: 0 }).rate).toBeNull();
  });

  it('sums revenue per currency in exact cents, net of refunds', () => {
    expect(
      revenueByCurrency([
        { currency: 'USD', totalAmount: '10.10', refundedAmount: '0.00' },
        { currency: 'USD', totalAmount: '0.20', refundedAmount: '0.05' },
        { currency: 'EUR', totalAmount: '99.99', refundedAmount: '99.99' },
      ]),
    ).toEqual([
      { currency: 'EUR', orders: 1, gross: '99.99', refunded: '99.99', net: '0.00' },
      { currency: 'USD', orders: 2, gross: '10.30', refunded: '0.05', net: '10.25' },
    ]);
  });

  it('rates failures by reason against the orders created and compensations against the failures', () => {
    expect(
      failureRates(10, [
        { reason: 'TIMEOUT', failed: 1, compensated: 0 },
        { reason: 'PAYMENT_FAILED', failed: 4, compensated: 3 },
      ]),
    ).toEqual([
      { reason: 'PAYMENT_FAILED', failed: 4, failureRate: 0.4, compensated: 3, compensationRate: 0.75 },
      { reason: 'TIMEOUT', failed: 1, failureRate: 0.1, compensated: 0, compensationRate: 0 },
    ]);
  });

  it('fills every minute of the window, counting events in the minute they occurred', () => {
    const window = { from: new Date('2026-12-04T10:00:30Z'), to: new Date('2026-12-04T10:03:00Z') };
    const series = minuteSeries(window, [
      { minute: new Date('2026-12-04T10:01:00Z'), metric: 'ORDERS_CREATED', count: 3 },
      { minute: new Date('2026-12-04T10:01:00Z'), metric: 'ORDERS_FAILED', count: 1 },
      { minute: new Date('2026-12-04T10:02:00Z'), metric: 'ORDERS_COMPLETED', count: 2 },
    ]);
    expect(series).toEqual([
      { minute: '2026-12-04T10:00:00.000Z', created: 0, completed: 0, failed: 0 },
      { minute: '2026-12-04T10:01:00.000Z', created: 3, completed: 0, failed: 1 },
      { minute: '2026-12-04T10:02:00.000Z', created: 0, completed: 2, failed: 0 },
    ]);
  });

  it('defaults the window to the last hour and refuses an empty, reversed or over-long one', () => {
    const now = new Date('2026-12-04T12:00:00Z');
    expect(windowOf({}, now)).toEqual({ from: new Date('2026-12-04T11:00:00Z'), to: now });
    expect(windowOf({ from: '2026-12-04T12:00:00Z', to: '2026-12-04T12:00:00Z' }, now)).toMatchObject({
      field: 'from',
    });
    expect(windowOf({ from: '2026-12-04T13:00:00Z' }, now)).toMatchObject({
      problem: 'from must be before to',
    });
    expect(windowOf({ from: '2026-12-02T12:00:00Z' }, now)).toMatchObject({
      problem: 'the window may span at most 24 hours',
    });
  });
});
