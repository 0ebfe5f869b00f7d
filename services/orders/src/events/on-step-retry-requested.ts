import type { EventHandler } from '@fv/messaging';
import type { OrdersDeps } from '../use-cases/orders-deps.js';
import { retryReturnRefund } from '../use-cases/refund-return.js';
import { retryPayment } from '../use-cases/retry-payment.js';
import { originOf } from './handler-origin.js';

/**
 * The coordination service asks to perform a saga step again. This service redoes PAYMENT_PROCESSING
 * (the authorization); ORDER_CONFIRMATION and FULFILLMENT_PREPARATION follow from the payment and the
 * shipment; REFUND_PROCESSING (a return's refund, parameters.returnId) is attempted again; the other
 * steps belong to other services.
 */
export function onStepRetryRequested(deps: OrdersDeps): EventHandler<'StepRetryRequested'> {
  return async (event, context) => {
    if (event.stepName === 'REFUND_PROCESSING') {
      const status = await retryReturnRefund(
        deps,
        context.tx,
        event,
        originOf(event.eventId, context),
        context.logger,
      );
      context.logger.info(
        { orderId: event.orderId, returnId: event.parameters.returnId, status },
        'refund step performed again',
      );
      return;
    }
    if (event.stepName !== 'PAYMENT_PROCESSING') return;
    const result = await retryPayment(
      deps,
      context.tx,
      event,
      originOf(event.eventId, context),
      context.logger,
    );
    context.logger.info(
      { orderId: event.orderId, attempt: event.attempt, sagaId: event.sagaId, result },
      'payment step performed again',
    );
  };
}
