import type { HandlerContext } from '@fv/messaging';
import type { Db } from '../db/orders-store.js';
import type { EventOrigin } from '../use-cases/orders-deps.js';

/** The handler's transaction, as the stores take it. */
export function txOf(context: HandlerContext): Db {
  return context.tx;
}

/** Events published while handling an event are caused by it and continue its trace. */
export function originOf(eventId: string, context: HandlerContext): EventOrigin {
  const { causationId, traceparent } = context.causedBy();
  return { eventId, causationId, traceparent };
}
