import type { EventHandler } from '@fv/messaging';
import { completeOrder } from '../use-cases/complete-order.js';
import type { OrdersDeps } from '../use-cases/orders-deps.js';
import { originOf, txOf } from './handler-origin.js';

export function onDeliveryScheduled(deps: OrdersDeps): EventHandler<'DeliveryScheduled'> {
  return (event, context) =>
    completeOrder(deps, txOf(context), event, originOf(event.eventId, context), context.logger);
}
