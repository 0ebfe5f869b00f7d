import type { EventHandler } from '@fv/messaging';
import type { DeliveryDeps } from '../use-cases/deps.js';
import { redoDelivery } from '../use-cases/redo-delivery.js';

/** StepRetryRequested for SHIPPING_LABEL_CREATION → the label again (DeliveryScheduled) or DeliverySchedulingFailed. */
export function onStepRetryRequested(
  deps: DeliveryDeps,
  retries: number,
): EventHandler<'StepRetryRequested'> {
  return async (event, context) => {
    if (event.stepName !== 'SHIPPING_LABEL_CREATION') return;
    const outcome = await redoDelivery(context.tx, deps, event, {
      meta: context.causedBy(),
      logger: context.logger,
      lastAttempt: context.attempt > retries,
    });
    context.logger.info(
      { orderId: event.orderId, attempt: event.attempt, sagaId: event.sagaId, ...outcome },
      'shipping label step performed again',
    );
  };
}
