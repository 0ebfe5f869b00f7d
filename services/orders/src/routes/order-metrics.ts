import { Gauge } from '@fv/service-kit';
import type { FastifyInstance } from 'fastify';
import type { OrdersDeps } from '../use-cases/orders-deps.js';

export const FAILED_ORDERS_METRIC = 'orders_failed';

/**
 * `orders_failed{reason}`: orders whose saga failed (status FAILED), by reason (PAYMENT_FAILED,
 * INVENTORY_ERROR, DELIVERY_FAILED, TIMEOUT, COUPON_REJECTED, SAGA_FAILED), counted from the database so every replica
 * answers the same. Cancellations a customer or an operator asked for are not failures.
 */
export function registerOrderMetrics(
  registry: FastifyInstance['metrics'],
  deps: Pick<OrdersDeps, 'prisma' | 'logger'>,
): void {
  new Gauge({
    name: FAILED_ORDERS_METRIC,
    help: 'Orders that ended FAILED because their saga failed, by failure reason',
    labelNames: ['reason'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const rows = await deps.prisma.$queryRaw<{ reason: string | null; count: number }[]>`
          select failure_reason as reason, count(*)::int as count from orders where status = 'FAILED'
          group by failure_reason`;
        for (const row of rows) this.set({ reason: row.reason ?? 'UNKNOWN' }, row.count);
      } catch (error) {
        deps.logger.warn({ err: error }, `${FAILED_ORDERS_METRIC} could not be read`);
      }
    },
  });
}
