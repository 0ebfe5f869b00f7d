import type { EventHandler } from '@fv/messaging';
import { recordDeliveryFailure } from '../use-cases/record-saga-failure.js';
import { txOf } from './handler-origin.js';

export function onDeliverySchedulingFailed(): EventHandler<'DeliverySchedulingFailed'> {
  return (event, context) => recordDeliveryFailure(txOf(context), event, context.logger);
}
