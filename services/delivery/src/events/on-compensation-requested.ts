import type { EventHandler } from '@fv/messaging';
import { asDb } from '../db/client.js';
import { cancelShipment } from '../use-cases/cancel-shipment.js';
import type { DeliveryDeps } from '../use-cases/deps.js';

/** CompensationRequested: delivery owns CANCEL_SHIPMENT; every other action belongs to another service. */
export function onCompensationRequested(deps: DeliveryDeps): EventHandler<'CompensationRequested'> {
  return async (event, context) => {
    if (event.action !== 'CANCEL_SHIPMENT') return;
    await cancelShipment(asDb(context.tx), deps, event, { meta: context.causedBy(), logger: context.logger });
  };
}
