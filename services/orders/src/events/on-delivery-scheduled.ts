import type { EventHandler } from '@fv/messaging';
import { completeOrder } from '../use-cases/complete-order.js';
import type { OrdersDeps } from '../use-cases/orders-deps.js';
import { originOf } from './handler-origin.js';

export function onDeliveryScheduled(deps: OrdersDeps): EventHandler<'DeliveryScheduled'> {
  return (event, context) =>
    completeOrder(deps, context.tx, event, originOf(event.eventId, context), context.logger);
}
