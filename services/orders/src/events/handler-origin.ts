import type { HandlerContext } from '@fv/messaging';
import type { EventOrigin } from '../use-cases/orders-deps.js';

/** Events published while handling an event are caused by it and continue its trace. */
export function originOf(eventId: string, context: HandlerContext): EventOrigin {
  const { causationId, traceparent } = context.causedBy();
  return { eventId, causationId, traceparent };
}
