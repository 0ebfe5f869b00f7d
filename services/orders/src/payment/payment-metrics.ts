import { Gauge } from '@fv/service-kit';
import type { FastifyInstance } from 'fastify';
import { countCapturesWaiting } from '../db/payment-attempts-store.js';
import type { OrdersDeps } from '../use-cases/orders-deps.js';

export const CAPTURES_WAITING_METRIC = 'payment_captures_waiting';
export const CIRCUIT_STATE_METRIC = 'circuit_breaker_state';
const CIRCUIT_STATE_VALUES = { CLOSED: 0, HALF_OPEN: 1, OPEN: 2 } as const;

/**
 * `circuit_breaker_state{breaker}`: the payment provider's breaker (0 closed, 1 half-open, 2 open).
 * `payment_captures_waiting`: captures of shipped orders still waiting for the provider after the
 * patience window (PAYMENT_PROVIDER_PATIENCE_MS). They are retried without end; anything above 0 means
 * the provider has been unavailable for longer than it should be. -1 when the database cannot be read.
 */
export function registerPaymentMetrics(
  registry: FastifyInstance['metrics'],
  deps: Pick<OrdersDeps, 'prisma' | 'config' | 'now' | 'gateway'>,
): void {
  new Gauge({
    name: CIRCUIT_STATE_METRIC,
    help: 'State of the circuit breaker in front of a dependency: 0 closed, 1 half-open (trial call), 2 open (calls refused)',
    labelNames: ['breaker'] as const,
    registers: [registry],
    collect() {
      this.set({ breaker: deps.gateway.providerName }, CIRCUIT_STATE_VALUES[deps.gateway.circuitState]);
    },
  });
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
