import type { DeadLetterContext, DeadLetterHandler } from '@fv/messaging';
import {
  captureDeadLetteredShipment,
  failDeadLetteredReservation,
  type DeadLetterCause,
} from '../use-cases/dead-lettered-steps.js';
import type { OrdersDeps } from '../use-cases/orders-deps.js';

function causeOf(context: DeadLetterContext): DeadLetterCause {
  const { error, errorCode } = context;
  return { errorCode, message: error instanceof Error ? error.message : String(error) };
}

/** A dead-lettered InventoryReserved fails the payment step (PaymentFailed, PROCESSING_FAILED). */
export function onInventoryReservedDeadLettered(deps: OrdersDeps): DeadLetterHandler<'InventoryReserved'> {
  return (event, context) => {
    const { causationId, traceparent } = context.causedBy();
    return failDeadLetteredReservation(
      deps,
      context.tx,
      event,
      causeOf(context),
      { eventId: event.eventId, causationId, traceparent },
      context.logger,
    );
  };
}

/** A dead-lettered DeliveryScheduled leaves the capture to the recovery sweeper. */
export function onDeliveryScheduledDeadLettered(deps: OrdersDeps): DeadLetterHandler<'DeliveryScheduled'> {
  return (event, context) =>
    captureDeadLetteredShipment(deps, context.tx, event, causeOf(context), context.logger);
}
