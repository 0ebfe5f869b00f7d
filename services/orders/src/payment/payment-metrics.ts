import { Gauge } from '@fv/service-kit';
import type { FastifyInstance } from 'fastify';
import { countCapturesWaiting } from '../db/payment-attempts-store.js';
import type { OrdersDeps } from '../use-cases/orders-deps.js';

export const CAPTURES_WAITING_METRIC = 'payment_captures_waiting';

/**
 * `payment_captures_waiting`: captures of shipped orders still waiting for the provider after the
 * patience window (PAYMENT_PROVIDER_PATIENCE_MS). They are retried without end; anything above 0 means
 * the provider has been unavailable for longer than it should be. -1 when the database cannot be read.
 */
export function registerPaymentMetrics(
  registry: FastifyInstance['metrics'],
  deps: Pick<OrdersDeps, 'prisma' | 'config' | 'now'>,
): void {
  new Gauge({
    name: CAPTURES_WAITING_METRIC,
    help: 'Captures waiting for the payment provider for longer than PAYMENT_PROVIDER_PATIENCE_MS (retried until it answers)',
    registers: [registry],
    async collect() {
      const since = new Date(deps.now() - deps.config.PAYMENT_PROVIDER_PATIENCE_MS);
      this.set(await countCapturesWaiting(deps.prisma, since).catch(() => -1));
    },
  });
}
