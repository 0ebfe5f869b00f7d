import type { EventHandler } from '@fv/messaging';
import type { OrdersDeps } from '../use-cases/orders-deps.js';
import { receiveReturn } from '../use-cases/refund-return.js';
import { originOf } from './handler-origin.js';

/** A return reached the warehouse: its lines are refunded (once per return). */
export function onReturnReceived(deps: OrdersDeps): EventHandler<'ReturnReceived'> {
  return (event, context) =>
    receiveReturn(deps, context.tx, event, originOf(event.eventId, context), context.logger);
}
