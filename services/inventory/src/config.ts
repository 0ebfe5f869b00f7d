import { envInteger } from '@fv/service-kit';
import { runtimeConfigSchema } from '@fv/service-runtime';
import type { z } from 'zod';

/** Every variable the inventory service reads; the only place that knows about the environment. */
export const inventoryConfigSchema = runtimeConfigSchema.extend({
  /** How long a reservation holds stock before it lapses unless the order is confirmed (seconds). */
  RESERVATION_TTL_SECONDS: envInteger(1, 7 * 24 * 3600).default(900),
  /** How often lapsed reservations are looked for and released (milliseconds). */
  RESERVATION_SWEEP_INTERVAL_MS: envInteger(100, 3_600_000).default(5_000),
  /** Most units of one product a single order may reserve. */
  MAX_QUANTITY_PER_ORDER: envInteger(1, 1_000_000).default(100),
  /** Most lines one reservation may have. */
  MAX_RESERVATION_LINES: envInteger(1, 1_000).default(100),
  /** Low-stock threshold of a location created without one. */
  DEFAULT_LOW_STOCK_THRESHOLD: envInteger(0, 1_000_000).default(10),
  /** How long an X-Idempotency-Key outcome is kept (hours). */
  IDEMPOTENCY_RETENTION_HOURS: envInteger(1, 24 * 30).default(24),
});

export type InventoryConfig = z.output<typeof inventoryConfigSchema>;

/** The rules the use cases apply, taken from the configuration. */
export interface InventoryLimits {
  reservationTtlSeconds: number;
  maxQuantityPerOrder: number;
  maxReservationLines: number;
  defaultLowStockThreshold: number;
}

export function limitsOf(config: InventoryConfig): InventoryLimits {
  return {
    reservationTtlSeconds: config.RESERVATION_TTL_SECONDS,
    maxQuantityPerOrder: config.MAX_QUANTITY_PER_ORDER,
    maxReservationLines: config.MAX_RESERVATION_LINES,
    defaultLowStockThreshold: config.DEFAULT_LOW_STOCK_THRESHOLD,
  };
}
