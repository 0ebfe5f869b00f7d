import type { Outbox } from '@fv/messaging';
import type { InventoryLimits } from '../config.js';

/** What the use cases need besides the transaction. */
export interface InventoryDeps {
  outbox: Outbox;
  limits: InventoryLimits;
  now(): Date;
}

/** Correlation and causation of the events a use case publishes. */
export interface EventMeta {
  correlationId: string;
  causationId?: string | null;
  traceparent?: string | null;
}
