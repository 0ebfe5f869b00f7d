import { percentile } from '@fv/service-kit';

/** Workflow types whose latency is measured, and their steps in order (position 0 starts the workflow). */
export const WORKFLOW_STEPS = {
  ORDER_FULFILLMENT: [
    'ORDER_CREATED',
    'INVENTORY_RESERVED',
    'PAYMENT_PROCESSED',
    'ORDER_CONFIRMED',
    'DELIVERY_SCHEDULED',
    'ORDER_COMPLETED',
  ],
  RETURN_PROCESSING: [
    'RETURN_REQUEST',
    'RETURN_RECEIPT',
    'REFUND_PROCESSING',
    'RESTOCK',
    'CUSTOMER_NOTIFICATION',
  ],
  INVENTORY_REPLENISHMENT: [
    'REPLENISHMENT_REQUEST',
    'PURCHASE_ORDER',
    'SUPPLIER_CONFIRMATION',
    'GOODS_RECEIPT',
  ],
} as const;

export type WorkflowType = keyof typeof WORKFLOW_STEPS;
export type StepName = (typeof WORKFLOW_STEPS)[WorkflowType][number];

/**
 * The step a step's latency is measured from (its predecessor), and the steps whose arrival finishes the
 * workflow. A return's refund and restock both follow the receipt; the customer's message follows the refund.
 */
const PREDECESSOR: Partial<Record<StepName, StepName>> = {
  RESTOCK: 'RETURN_RECEIPT',
  CUSTOMER_NOTIFICATION: 'REFUND_PROCESSING',
};
const FINISHING: Record<WorkflowType, readonly StepName[]> = {
  ORDER_FULFILLMENT: ['ORDER_COMPLETED'],
  RETURN_PROCESSING: ['REFUND_PROCESSING', 'RESTOCK'],
  INVENTORY_REPLENISHMENT: ['GOODS_RECEIPT'],
};

export function stepPosition(type: WorkflowType, step: StepName): number {
  return (WORKFLOW_STEPS[type] as readonly string[]).indexOf(step);
}

function predecessorOf(type: WorkflowType, step: StepName): StepName | null {
  const explicit = PREDECESSOR[step];
  if (explicit) return explicit;
  const position = stepPosition(type, step);
  return position > 0 ? WORKFLOW_STEPS[type][position - 1]! : null;
}

export interface Percentiles {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** p50, p95 and p99 (nearest rank) of a set of durations. */
export function percentilesOf(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
  };
}

/** The steps one workflow instance reached, with the time (ms since the epoch) each was first reached. */
export interface InstanceSteps {
  workflowType: WorkflowType;
  instanceKey: string;
  reached: ReadonlyMap<string, number>;
}

export interface WorkflowLatency {
  workflowType: WorkflowType;
  /** From the first step to the last finishing step, over the instances that finished. */
  total: Percentiles;
  /** Per step, from its predecessor to it, over the instances that reached both. */
  steps: { step: StepName; latency: Percentiles }[];
}

/** Latency percentiles (ms) per workflow type and per step, from the steps each instance reached. */
export function workflowLatencies(instances: readonly InstanceSteps[]): WorkflowLatency[] {
  return (Object.keys(WORKFLOW_STEPS) as WorkflowType[]).map((type) => {
    const own = instances.filter((instance) => instance.workflowType === type);
    const first = WORKFLOW_STEPS[type][0];
    const totals = own.flatMap((instance) => {
      const start = instance.reached.get(first);
      const ends = FINISHING[type].map((step) => instance.reached.get(step));
      if (start === undefined || ends.some((end) => end === undefined)) return [];
      return [Math.max(...(ends as number[])) - start];
    });
    const steps = WORKFLOW_STEPS[type].slice(1).map((step) => {
      const from = predecessorOf(type, step)!;
      const durations = own.flatMap((instance) => {
        const start = instance.reached.get(from);
        const end = instance.reached.get(step);
        return start === undefined || end === undefined ? [] : [end - start];
      });
      return { step, latency: percentilesOf(durations) };
    });
    return { workflowType: type, total: percentilesOf(totals), steps };
  });
}

export const MINUTE_MS = 60_000;
export const MAX_WINDOW_MS = 24 * 60 * MINUTE_MS;
export const DEFAULT_WINDOW_MS = 60 * MINUTE_MS;

export interface AnalyticsWindow {
  from: Date;
  to: Date;
}

/**
 * The window of a query: `from` and `to` (ISO date-times) or the last hour up to `to` (default now).
 * Returns the problem with the parameters instead when they do not make a window.
 */
export function windowOf(
  query: { from?: string; to?: string },
  now: Date,
): AnalyticsWindow | { problem: string; field: string } {
  const to = query.to === undefined ? now : new Date(query.to);
  if (Number.isNaN(to.getTime())) return { problem: 'to is not a date-time', field: 'to' };
  const from = query.from === undefined ? new Date(to.getTime() - DEFAULT_WINDOW_MS) : new Date(query.from);
  if (Number.isNaN(from.getTime())) return { problem: 'from is not a date-time', field: 'from' };
  if (from.getTime() >= to.getTime()) return { problem: 'from must be before to', field: 'from' };
  if (to.getTime() - from.getTime() > MAX_WINDOW_MS)
    return { problem: 'the window may span at most 24 hours', field: 'from' };
  return { from, to };
}

export interface MinuteCount {
  minute: Date;
  metric: string;
  count: number;
}

export interface MinutePoint {
  minute: string;
  created: number;
  completed: number;
  failed: number;
}

/** One point per minute of the window (minutes without events count zero). */
export function minuteSeries(window: AnalyticsWindow, counts: readonly MinuteCount[]): MinutePoint[] {
  const byMinute = new Map<number, MinutePoint>();
  const first = Math.floor(window.from.getTime() / MINUTE_MS) * MINUTE_MS;
  for (let minute = first; minute < window.to.getTime(); minute += MINUTE_MS) {
    byMinute.set(minute, { minute: new Date(minute).toISOString(), created: 0, completed: 0, failed: 0 });
  }
  for (const count of counts) {
    const point = byMinute.get(count.minute.getTime());
    if (!point) continue;
    if (count.metric === 'ORDERS_CREATED') point.created += count.count;
    if (count.metric === 'ORDERS_COMPLETED') point.completed += count.count;
    if (count.metric === 'ORDERS_FAILED') point.failed += count.count;
  }
  return [...byMinute.values()];
}

/** A fraction rounded to four decimals; null when nothing was counted. */
export function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}

/** Of the orders created in the window: how many completed, failed, and the conversion rate. */
export function conversion(counts: { created: number; completed: number; failed: number }) {
  return { ...counts, rate: rate(counts.completed, counts.created) };
}

/** Cents of a decimal string ("19.99" → 1999): sums stay exact. */
export function toCents(amount: string): number {
  const [whole, fraction = ''] = amount.trim().replace(/^-/, '').split('.');
  const cents = Number(whole) * 100 + Number((fraction + '00').slice(0, 2));
  return amount.trim().startsWith('-') ? -cents : cents;
}

export function fromCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export interface CompletedOrder {
  currency: string;
  totalAmount: string;
  refundedAmount: string;
}

export interface CurrencyRevenue {
  currency: string;
  orders: number;
  gross: string;
  refunded: string;
  net: string;
}

/** Revenue per currency of completed orders: their totals, the refunds on them, and the difference. */
export function revenueByCurrency(orders: readonly CompletedOrder[]): CurrencyRevenue[] {
  const sums = new Map<string, { orders: number; gross: number; refunded: number }>();
  for (const order of orders) {
    const sum = sums.get(order.currency) ?? { orders: 0, gross: 0, refunded: 0 };
    sum.orders += 1;
    sum.gross += toCents(order.totalAmount);
    sum.refunded += toCents(order.refundedAmount);
    sums.set(order.currency, sum);
  }
  return [...sums.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, sum]) => ({
      currency,
      orders: sum.orders,
      gross: fromCents(sum.gross),
      refunded: fromCents(sum.refunded),
      net: fromCents(sum.gross - sum.refunded),
    }));
}

export interface FailureCount {
  reason: string;
  failed: number;
  compensated: number;
}

/** Per failure reason: its share of the orders created and the share of its orders that were compensated. */
export function failureRates(created: number, failures: readonly FailureCount[]) {
  return [...failures]
    .sort((a, b) => b.failed - a.failed || a.reason.localeCompare(b.reason))
    .map((failure) => ({
      reason: failure.reason,
      failed: failure.failed,
      failureRate: rate(failure.failed, created),
      compensated: failure.compensated,
      compensationRate: rate(failure.compensated, failure.failed),
    }));
}
