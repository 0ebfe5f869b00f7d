import type { EventHandler } from '@fv/messaging';
import { takePayment } from '../use-cases/take-payment.js';
import type { OrdersDeps } from '../use-cases/orders-deps.js';
import { originOf } from './handler-origin.js';

export function onInventoryReserved(deps: OrdersDeps): EventHandler<'InventoryReserved'> {
  return (event, context) =>
    takePayment(deps, context.tx, event, originOf(event.eventId, context), context.logger);
}
