import { envInteger } from '@fv/service-kit';
import { runtimeConfigSchema } from '@fv/service-runtime';
import { z } from 'zod';

/** Every variable the inventory service reads; the only place that knows about the environment. */
export const inventoryConfigSchema = runtimeConfigSchema.extend({
  /** How long a reservation holds stock before it lapses unless the order is confirmed (seconds). */
  RESERVATION_TTL_SECONDS: envInteger(1, 7 * 24 * 3600).default(900),
  /**
   * The least time between two sweeps of lapsed reservations (milliseconds); the sweeper sleeps until the
   * next reservation lapses.
   */
  RESERVATION_SWEEP_INTERVAL_MS: envInteger(100, 3_600_000).default(5_000),
  /** Most units of one product a single order may reserve. */
  MAX_QUANTITY_PER_ORDER: envInteger(1, 1_000_000).default(100),
  /** Most lines one reservation may have. */
  MAX_RESERVATION_LINES: envInteger(1, 1_000).default(100),
  /** Low-stock threshold of a location created without one. */
  DEFAULT_LOW_STOCK_THRESHOLD: envInteger(0, 1_000_000).default(10),
  /** How long an X-Idempotency-Key outcome is kept (hours). */
  IDEMPOTENCY_RETENTION_HOURS: envInteger(1, 24 * 30).default(24),
  /**
   * Units reordered for a location that has no replenishment setting of its own; 0: only locations with
   * a setting of their own (PUT …/locations/{warehouseId}/replenishment) are replenished.
   */
  DEFAULT_REORDER_QUANTITY: envInteger(0, 1_000_000).default(50),
  /** Supplier of a location that has no replenishment setting of its own. */
  DEFAULT_SUPPLIER_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, . _ -')
    .default('default-supplier'),
  /** Base URL of the supplier's purchase-order API (the supplier simulator locally). */
  SUPPLIER_URL: z.string().url('must be an http(s) URL').default('http://127.0.0.1:8089'),
  /** How long one call to the supplier may take (milliseconds). */
  SUPPLIER_TIMEOUT_MS: envInteger(100, 120_000).default(5_000),
  /** Failed calls to place a purchase order before the replenishment fails (SUPPLIER_UNAVAILABLE or TIMEOUT). */
  SUPPLIER_MAX_ATTEMPTS: envInteger(1, 1_000).default(5),
  /**
   * How often open replenishments are advanced: orders placed, the supplier polled (milliseconds); with
   * none open the driver sleeps until one is opened.
   */
  REPLENISHMENT_POLL_INTERVAL_MS: envInteger(50, 3_600_000).default(2_000),
  /** How long after ordering the goods must have arrived before the replenishment fails with TIMEOUT (milliseconds). */
  REPLENISHMENT_DELIVERY_TIMEOUT_MS: envInteger(1_000, 90 * 86_400_000).default(7 * 86_400_000),
});

export type InventoryConfig = z.output<typeof inventoryConfigSchema>;

/** The rules the use cases apply, taken from the configuration. */
export interface InventoryLimits {
  reservationTtlSeconds: number;
  maxQuantityPerOrder: number;
  maxReservationLines: number;
  defaultLowStockThreshold: number;
  replenishment: ReplenishmentPolicy;
}

/** How replenishments are opened and given up on. */
export interface ReplenishmentPolicy {
  defaultReorderQuantity: number;
  defaultSupplierId: string;
  /** Failed calls to place a purchase order before the replenishment fails. */
  maxAttempts: number;
  /** How long after ordering the goods must have arrived. */
  deliveryTimeoutMs: number;
  /** How often open replenishments are advanced. */
  pollIntervalMs: number;
}

export function limitsOf(config: InventoryConfig): InventoryLimits {
  return {
    reservationTtlSeconds: config.RESERVATION_TTL_SECONDS,
    maxQuantityPerOrder: config.MAX_QUANTITY_PER_ORDER,
    maxReservationLines: config.MAX_RESERVATION_LINES,
    defaultLowStockThreshold: config.DEFAULT_LOW_STOCK_THRESHOLD,
    replenishment: {
      defaultReorderQuantity: config.DEFAULT_REORDER_QUANTITY,
      defaultSupplierId: config.DEFAULT_SUPPLIER_ID,
      maxAttempts: config.SUPPLIER_MAX_ATTEMPTS,
      deliveryTimeoutMs: config.REPLENISHMENT_DELIVERY_TIMEOUT_MS,
      pollIntervalMs: config.REPLENISHMENT_POLL_INTERVAL_MS,
    },
  };
}
