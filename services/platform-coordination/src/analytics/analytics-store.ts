import type { SqlClient } from '@fv/messaging';
import {
  MINUTE_MS,
  stepPosition,
  type AnalyticsWindow,
  type CompletedOrder,
  type FailureCount,
  type InstanceSteps,
  type MinuteCount,
  type StepName,
  type WorkflowType,
} from './domain/analytics-domain.js';

/** A line of an order, as kept on its analytics row. */
export interface OrderLine {
  productId: string;
  quantity: number;
  unitPrice: string;
}

export type FailureSource = 'ORDER_FAILED' | 'ORDER_CANCELLED';

const minuteOf = (at: number) => new Date(Math.floor(at / MINUTE_MS) * MINUTE_MS);
/**
 * Writes of the analytics consumer, each in the transaction that records the event as processed (so a
 * redelivered event changes nothing). Every write commutes with the others: an order's row is filled by
 * whichever of its events comes first, and a step keeps the earliest time it was reached.
 */
export const analyticsWrites = {
  async count(tx: SqlClient, at: number, metric: string, key = '', by = 1): Promise<void> {
    await tx.$executeRawUnsafe(
      `insert into analytics_minute_counts (minute, metric, key, count) values ($1, $2, $3, $4)
       on conflict (minute, metric, key) do update set count = analytics_minute_counts.count + excluded.count`,
      minuteOf(at),
      metric,
      key,
      by,
    );
  },

  async step(tx: SqlClient, type: WorkflowType, key: string, step: StepName, at: number): Promise<void> {
    await tx.$executeRawUnsafe(
      `insert into analytics_steps (workflow_type, instance_key, step, position, reached_at)
       values ($1, $2, $3, $4, $5)
       on conflict (workflow_type, instance_key, step)
       do update set reached_at = least(analytics_steps.reached_at, excluded.reached_at)`,
      type,
      key,
      step,
      stepPosition(type, step),
      new Date(at),
    );
  },

  async orderCreated(
    tx: SqlClient,
    order: { orderId: string; currency: string; totalAmount: string; items: OrderLine[]; at: number },
  ): Promise<void> {
    await tx.$executeRawUnsafe(
      `insert into analytics_orders (order_id, currency, total_amount, items, created_at)
       values ($1, $2, $3::numeric, $4::jsonb, $5)
       on conflict (order_id) do update set currency = excluded.currency,
         total_amount = excluded.total_amount, items = excluded.items, created_at = excluded.created_at`,
      order.orderId,
      order.currency,
      order.totalAmount,
      JSON.stringify(order.items),
      new Date(order.at),
    );
  },

  /** Marks the order completed; a redelivered or repeated completion keeps the first time. */
  async orderCompleted(
    tx: SqlClient,
    order: { orderId: string; currency: string; totalAmount: string; at: number },
  ): Promise<void> {
    await tx.$executeRawUnsafe(
      `insert into analytics_orders (order_id, currency, total_amount, completed_at)
       values ($1, $2, $3::numeric, $4)
       on conflict (order_id) do update set completed_at = excluded.completed_at,
         currency = coalesce(analytics_orders.currency, excluded.currency),
         total_amount = coalesce(analytics_orders.total_amount, excluded.total_amount)
       where analytics_orders.completed_at is null`,
      order.orderId,
      order.currency,
      order.totalAmount,
      new Date(order.at),
    );
  },

  /**
   * Records the order's failure, in one statement: OrderFailed's reason wins over a system
   * cancellation's, and the first failure keeps its time.
   */
  async orderFailed(
    tx: SqlClient,
    failure: { orderId: string; reason: string; source: FailureSource; at: number },
  ): Promise<void> {
    await tx.$executeRawUnsafe(
      `insert into analytics_orders (order_id, failed_at, failure_reason, failure_source)
       values ($1, $2, $3, $4)
       on conflict (order_id) do update set failed_at = coalesce(analytics_orders.failed_at, excluded.failed_at),
         failure_reason = excluded.failure_reason, failure_source = excluded.failure_source
       where analytics_orders.failure_source is distinct from 'ORDER_FAILED'
         and analytics_orders.failure_source is distinct from excluded.failure_source`,
      failure.orderId,
      new Date(failure.at),
      failure.reason,
      failure.source,
    );
  },

  async refunded(tx: SqlClient, orderId: string, amount: string, compensation: boolean): Promise<void> {
    await tx.$executeRawUnsafe(
      `insert into analytics_orders (order_id, refunded_amount, compensated) values ($1, $2::numeric, $3)
       on conflict (order_id) do update set refunded_amount = analytics_orders.refunded_amount + excluded.refunded_amount,
         compensated = analytics_orders.compensated or excluded.compensated`,
      orderId,
      amount,
      compensation,
    );
  },

  async compensated(tx: SqlClient, orderId: string): Promise<void> {
    await tx.$executeRawUnsafe(
      `insert into analytics_orders (order_id, compensated) values ($1, true)
       on conflict (order_id) do update set compensated = true`,
      orderId,
    );
  },
};

/** Reads of the endpoints: each one query over the window's rows, never over the events. */
export const analyticsReads = {
  /**
   * Orders created, completed and failed per minute of the window, counted from the orders' rows (the
   * minute of `created_at`, `completed_at`, `failed_at`): no counter row that every order's events would
   * update. A minute counts when it starts before the window's end, as the per-minute counters do.
   */
  async orderMinuteCounts(db: SqlClient, window: AnalyticsWindow): Promise<MinuteCount[]> {
    const minutes = (column: string, metric: string) =>
      `select date_trunc('minute', ${column}) as minute, '${metric}' as metric from analytics_orders
        where ${column} >= date_trunc('minute', $1::timestamptz) and ${column} < $2::timestamptz + interval '1 minute'
          and date_trunc('minute', ${column}) < $2::timestamptz`;
    const rows = await db.$queryRawUnsafe<{ minute: Date; metric: string; count: number }[]>(
      `select minute, metric, count(*)::int as count from (
         ${minutes('created_at', 'ORDERS_CREATED')}
         union all ${minutes('completed_at', 'ORDERS_COMPLETED')}
         union all ${minutes('failed_at', 'ORDERS_FAILED')}
       ) as facts group by minute, metric`,
      window.from,
      window.to,
    );
    return rows.map((row) => ({ minute: new Date(row.minute), metric: row.metric, count: row.count }));
  },

  async orderOutcomes(db: SqlClient, window: AnalyticsWindow) {
    const [row] = await db.$queryRawUnsafe<{ created: number; completed: number; failed: number }[]>(
      `select count(*)::int as created, count(completed_at)::int as completed,
         count(failed_at) filter (where completed_at is null)::int as failed
       from analytics_orders where created_at >= $1 and created_at < $2`,
      window.from,
      window.to,
    );
    return row ?? { created: 0, completed: 0, failed: 0 };
  },

  async failures(db: SqlClient, window: AnalyticsWindow): Promise<FailureCount[]> {
    return db.$queryRawUnsafe<FailureCount[]>(
      `select failure_reason as reason, count(*)::int as failed,
         count(*) filter (where compensated)::int as compensated
       from analytics_orders
       where created_at >= $1 and created_at < $2 and failed_at is not null and completed_at is null
       group by failure_reason`,
      window.from,
      window.to,
    );
  },

  async completedOrders(db: SqlClient, window: AnalyticsWindow): Promise<CompletedOrder[]> {
    return db.$queryRawUnsafe<CompletedOrder[]>(
      `select currency, total_amount::text as "totalAmount", refunded_amount::text as "refundedAmount"
       from analytics_orders
       where completed_at >= $1 and completed_at < $2 and currency is not null and total_amount is not null`,
      window.from,
      window.to,
    );
  },

  async topProducts(db: SqlClient, window: AnalyticsWindow, limit: number) {
    return db.$queryRawUnsafe<{ productId: string; currency: string; units: number; revenue: string }[]>(
      `select line->>'productId' as "productId", o.currency, sum((line->>'quantity')::int)::int as units,
         sum((line->>'quantity')::int * (line->>'unitPrice')::numeric)::numeric(14, 2)::text as revenue
       from analytics_orders o cross join lateral jsonb_array_elements(o.items) as line
       where o.completed_at >= $1 and o.completed_at < $2 and o.items is not null
       group by 1, 2 order by units desc, sum((line->>'quantity')::int * (line->>'unitPrice')::numeric) desc,
         1 limit $3`,
      window.from,
      window.to,
      limit,
    );
  },

  async stockOuts(db: SqlClient, window: AnalyticsWindow, limit: number) {
    return db.$queryRawUnsafe<
      { productId: string; outOfStock: number; reservationFailures: number; lowStockAlerts: number }[]
    >(
      `select key as "productId",
         coalesce(sum(count) filter (where metric = 'PRODUCT_OUT_OF_STOCK'), 0)::int as "outOfStock",
         coalesce(sum(count) filter (where metric = 'RESERVATION_FAILED'), 0)::int as "reservationFailures",
         coalesce(sum(count) filter (where metric = 'LOW_STOCK_ALERT'), 0)::int as "lowStockAlerts"
       from analytics_minute_counts
       where minute >= date_trunc('minute', $1::timestamptz) and minute < $2
         and metric in ('PRODUCT_OUT_OF_STOCK', 'RESERVATION_FAILED', 'LOW_STOCK_ALERT')
       group by key order by sum(count) desc, key limit $3`,
      window.from,
      window.to,
      limit,
    );
  },

  /** The steps of the workflow instances that started in the window. */
  async instanceSteps(db: SqlClient, window: AnalyticsWindow): Promise<InstanceSteps[]> {
    const rows = await db.$queryRawUnsafe<
      { workflow_type: WorkflowType; instance_key: string; step: string; reached_at: Date }[]
    >(
      `select s.workflow_type, s.instance_key, s.step, s.reached_at from analytics_steps s
       where (s.workflow_type, s.instance_key) in (
         select workflow_type, instance_key from analytics_steps
         where position = 0 and reached_at >= $1 and reached_at < $2)`,
      window.from,
      window.to,
    );
    const instances = new Map<string, InstanceSteps & { reached: Map<string, number> }>();
    for (const row of rows) {
      const id = `${row.workflow_type}/${row.instance_key}`;
      const instance = instances.get(id) ?? {
        workflowType: row.workflow_type,
        instanceKey: row.instance_key,
        reached: new Map<string, number>(),
      };
      instance.reached.set(row.step, new Date(row.reached_at).getTime());
      instances.set(id, instance);
    }
    return [...instances.values()];
  },
};
