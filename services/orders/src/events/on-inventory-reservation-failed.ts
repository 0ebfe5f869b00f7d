import type { EventHandler } from '@fv/messaging';
import { recordReservationFailure } from '../use-cases/record-saga-failure.js';

export function onInventoryReservationFailed(): EventHandler<'InventoryReservationFailed'> {
  return (event, context) => recordReservationFailure(context.tx, event, context.logger);
}
