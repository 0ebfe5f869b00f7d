import type { EventHandlers } from '@fv/messaging';
import type { NotificationsDeps } from '../use-cases/deps.js';
import { onOrderCreated } from './on-order-created.js';
import { onOrderConfirmed } from './on-order-confirmed.js';
import { onDeliveryScheduled } from './on-delivery-scheduled.js';
import { onShipmentDispatched } from './on-shipment-dispatched.js';
import { onShipmentDelivered } from './on-shipment-delivered.js';
import { onOrderCancelled } from './on-order-cancelled.js';
import { onOrderFailed } from './on-order-failed.js';
import { onPaymentFailed } from './on-payment-failed.js';
import { onOrderRefunded } from './on-order-refunded.js';
import { onCompensationRequested } from './on-compensation-requested.js';
import { onStepRetryRequested } from './on-step-retry-requested.js';

/** The events the service consumes, one handler each. */
export function notificationHandlers(
  deps: NotificationsDeps,
  options: { retries: number } = { retries: 0 },
): EventHandlers {
  return {
    OrderCreated: onOrderCreated(),
    OrderConfirmed: onOrderConfirmed(deps),
    DeliveryScheduled: onDeliveryScheduled(deps),
    ShipmentDispatched: onShipmentDispatched(deps),
    ShipmentDelivered: onShipmentDelivered(deps),
    OrderCancelled: onOrderCancelled(deps),
    OrderFailed: onOrderFailed(deps),
    PaymentFailed: onPaymentFailed(deps),
    OrderRefunded: onOrderRefunded(deps),
    CompensationRequested: onCompensationRequested(deps, options),
    StepRetryRequested: onStepRetryRequested(deps),
  };
}
