import type { EventHandler } from '@fv/messaging';
import { parseId } from '@fv/service-kit';
import { answerCompensation } from '../use-cases/answer-compensation.js';
import { cancelShipment, type CancelOutcome } from '../use-cases/cancel-shipment.js';
import type { DeliveryDeps } from '../use-cases/deps.js';

/** The CompensationOutcome that reports a CANCEL_SHIPMENT result. */
function outcomeOf(result: CancelOutcome) {
  switch (result.result) {
    case 'cancelled':
      return result.hadShipment
        ? {
            outcome: 'DONE' as const,
            reasonCode: null,
            detail: `shipment ${result.shipmentId} cancelled and its label voided`,
          }
        : {
            outcome: 'NOT_APPLICABLE' as const,
            reasonCode: 'SHIPMENT_NOT_FOUND',
            detail: 'no shipment exists for the order; none will be created',
          };
    case 'already-cancelled':
      return {
        outcome: 'ALREADY_DONE' as const,
        reasonCode: null,
        detail: `shipment ${result.shipmentId} was cancelled before`,
      };
    case 'rejected':
      return {
        outcome: 'REJECTED' as const,
        reasonCode: 'ALREADY_DISPATCHED',
        detail: `shipment ${result.shipmentId} is ${result.status}: the carrier has the parcel`,
      };
  }
}

/**
 * CompensationRequested: delivery owns CANCEL_SHIPMENT; every other action belongs to another service.
 * Every request gets exactly one CompensationOutcome, in the transaction of the cancellation.
 */
export function onCompensationRequested(deps: DeliveryDeps): EventHandler<'CompensationRequested'> {
  return async (event, context) => {
    if (event.action !== 'CANCEL_SHIPMENT') return;
    const db = context.tx;
    const meta = context.causedBy();
    if (!parseId(event.orderId)) {
      await answerCompensation(db, deps, event, meta, {
        outcome: 'NOT_APPLICABLE',
        reasonCode: 'ORDER_NOT_FOUND',
        detail: `${JSON.stringify(event.orderId)} is not an order id: no shipment can belong to it`,
      });
      return;
    }
    const result = await cancelShipment(db, deps, event, { meta, logger: context.logger });
    await answerCompensation(db, deps, event, meta, outcomeOf(result));
  };
}
