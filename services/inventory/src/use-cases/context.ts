import type { Outbox } from '@fv/messaging';
import type { InventoryLimits } from '../config.js';

/** What the use cases need besides the transaction. */
export interface InventoryDeps {
  outbox: Outbox;
  limits: InventoryLimits;
  now(): Date;
  /**
   * A reservation lapses, or a replenishment is due, at `at`: the background rounds sleep until the next
   * one they know of, so writers tell them of new ones (optional: tests drive the rounds by hand).
   */
  dueBy?(at: Date): void;
}

/** How long after a handler's write its transaction is taken to have committed (the rounds are told then). */
export const COMMIT_GRACE_MS = 1000;

/** Correlation and causation of the events a use case publishes. */
export interface EventMeta {
  correlationId: string;
  causationId?: string | null;
  traceparent?: string | null;
}
