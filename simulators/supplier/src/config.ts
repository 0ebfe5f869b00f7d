import { envInteger } from '@fv/service-kit';
import { simulatorConfigSchema } from '@fv/simulator-kit';
import type { z } from 'zod';

/** The simulator's configuration, read once from the environment at start. */
export const supplierConfigSchema = simulatorConfigSchema({ service: 'supplier', port: 8089 }).extend({
  /** How long after it was placed a purchase order is confirmed (milliseconds). */
  CONFIRM_DELAY_MS: envInteger(0, 86_400_000).default(5_000),
  /** How long after it was placed a purchase order's goods are delivered (milliseconds; at least the confirmation delay). */
  DELIVERY_DELAY_MS: envInteger(0, 86_400_000).default(15_000),
  /** Most units one purchase order may ask for; more is rejected (QUANTITY_TOO_LARGE). */
  MAX_QUANTITY: envInteger(1, 10_000_000).default(100_000),
});

export type SupplierConfig = z.output<typeof supplierConfigSchema>;
