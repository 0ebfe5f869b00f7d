import type { HandlerContext } from '@fv/messaging';
import type { Db } from '../db/orders-store.js';
import type { EventOrigin } from '../use-cases/orders-deps.js';

/** The handler's transaction as the Prisma client it is (the consumer opens it on this service's client). */
export function txOf(context: HandlerContext): Db {
  return context.tx as unknown as Db;
}

/** Events published while handling an event are caused by it and continue its trace. */
export function originOf(eventId: string, context: HandlerContext): EventOrigin {
  const { causationId, traceparent } = context.causedBy();
  return { eventId, causationId, traceparent };
}
