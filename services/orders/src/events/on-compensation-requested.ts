import type { EventHandler } from '@fv/messaging';
import { compensate } from '../use-cases/compensate.js';
import type { OrdersDeps } from '../use-cases/orders-deps.js';
import { originOf } from './handler-origin.js';

export function onCompensationRequested(deps: OrdersDeps): EventHandler<'CompensationRequested'> {
  return (event, context) =>
    compensate(deps, context.tx, event, originOf(event.eventId, context), context.logger);
}
