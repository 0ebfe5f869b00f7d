import type { EventHandler } from '@fv/messaging';
import type { DeliveryDeps } from '../use-cases/deps.js';
import { scheduleDelivery } from '../use-cases/schedule-delivery.js';

/** OrderConfirmed → a shipment with its label (DeliveryScheduled) or DeliverySchedulingFailed. */
export function onOrderConfirmed(deps: DeliveryDeps, retries: number): EventHandler<'OrderConfirmed'> {
  return async (event, context) => {
    await scheduleDelivery(context.tx, deps, event, {
      meta: context.causedBy(),
      logger: context.logger,
      lastAttempt: context.attempt > retries,
    });
  };
}
