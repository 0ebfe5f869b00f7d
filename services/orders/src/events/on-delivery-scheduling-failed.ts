import type { EventHandler } from '@fv/messaging';
import { recordDeliveryFailure } from '../use-cases/record-saga-failure.js';

export function onDeliverySchedulingFailed(): EventHandler<'DeliverySchedulingFailed'> {
  return (event, context) => recordDeliveryFailure(context.tx, event, context.logger);
}
