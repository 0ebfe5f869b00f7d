import type { Outbox, PublishMeta } from '@fv/messaging';
import type { Logger } from '@fv/service-kit';
import type { OrdersConfig } from '../config.js';
import type { Db, PrismaClient } from '../db/orders-store.js';
import type { PaymentGateway } from '../payment/payment-gateway.js';

/** What the use cases work with. */
export interface OrdersDeps {
  config: OrdersConfig;
  prisma: PrismaClient;
  /** The database without Prisma, outside any transaction (each statement commits on its own). */
  sql: Db;
  outbox: Outbox;
  gateway: PaymentGateway;
  logger: Logger;
  /** The clock payment retries and the provider's patience are judged by (milliseconds). */
  now(): number;
  /** A transaction whose outbox events are published once it commits. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /**
   * A payment call or a return refund is due for the background rounds at `at` (its retry, or its
   * hand-over to recovery): they sleep until the next one they know of, so writers tell them.
   */
  retryDueBy(at: Date): void;
}

/** Where the events a use case publishes come from: a request (its trace) or an event (its causation). */
export type EventOrigin = Pick<PublishMeta, 'causationId' | 'traceparent'> & { eventId?: string | null };

export function publishMeta(orderId: string, origin: EventOrigin, causationId?: string): PublishMeta {
  return {
    correlationId: orderId,
    causationId: causationId ?? origin.causationId ?? null,
    traceparent: origin.traceparent ?? null,
  };
}
