import type { EventMap } from '@fv/contracts';
import type { Logger } from '@fv/service-kit';
import { decide, type OrderInput, type OrderStatus } from '../domain/order-status.js';
import { changeStatus, type Db } from '../db/orders-store.js';
import { invalidOrderState, lockKnownOrder } from './saga-order.js';

async function recordFailure(
  tx: Db,
  event: { eventId: string; orderId: string },
  input: OrderInput,
  failure: { code: string; message: string },
  log: Logger,
): Promise<void> {
  const order = await lockKnownOrder(tx, event.orderId);
  const decision = decide(order.status as OrderStatus, input);
  if (decision.kind === 'reject') throw invalidOrderState(order, input, decision.reason);
  if (decision.kind === 'ignore') {
    log.info({ orderId: order.id, status: order.status }, `${input} ignored: ${decision.reason}`);
    return;
  }
  await changeStatus(tx, order, decision.to, {
    reason: failure.code,
    eventId: event.eventId,
    data: { failureCode: failure.code, failureMessage: failure.message },
  });
}

/**
 * Inventory could not reserve the order: the order shows it (INVENTORY_FAILED, with the reason). The
 * cancellation itself comes from the coordination service's compensation.
 */
export async function recordReservationFailure(
  tx: Db,
  event: EventMap['InventoryReservationFailed'],
  log: Logger,
): Promise<void> {
  const short = event.unavailableItems.map(
    (item) => `${item.productId} (${item.availableQuantity} of ${item.requestedQuantity})`,
  );
  const message = short.length > 0 ? `${event.message}; short: ${short.join(', ')}` : event.message;
  await recordFailure(tx, event, 'INVENTORY_RESERVATION_FAILED', { code: event.reason, message }, log);
}

/** No shipping label could be created: the order shows it (DELIVERY_FAILED); compensation follows. */
export async function recordDeliveryFailure(
  tx: Db,
  event: EventMap['DeliverySchedulingFailed'],
  log: Logger,
): Promise<void> {
  await recordFailure(
    tx,
    event,
    'DELIVERY_SCHEDULING_FAILED',
    { code: event.errorCode, message: event.errorMessage },
    log,
  );
}
