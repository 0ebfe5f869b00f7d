import type { EventHandler } from '@fv/messaging';
import { recordReservationFailure } from '../use-cases/record-saga-failure.js';
import { txOf } from './handler-origin.js';

export function onInventoryReservationFailed(): EventHandler<'InventoryReservationFailed'> {
  return (event, context) => recordReservationFailure(txOf(context), event, context.logger);
}
