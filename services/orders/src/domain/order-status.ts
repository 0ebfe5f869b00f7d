import { orderFailureReasonOf, type OrderFailureReason } from '@fv/contracts';

/**
 * The order's state machine. Saga events and requests are inputs; each yields a move to a new status,
 * nothing (the input is already reflected, or was overtaken by a cancellation), or a rejection (the
 * input contradicts the order's history and cannot be applied).
 *
 * ```
 * PENDING ──InventoryReserved + payment authorized──> CONFIRMED ──DeliveryScheduled──> COMPLETED
 *    │  └──payment failed──> PAYMENT_FAILED <──capture refused─┤
 *    │                                                    └──DeliverySchedulingFailed──> DELIVERY_FAILED
 *    └──InventoryReservationFailed──> INVENTORY_FAILED
 * COMPLETED ──refund──> PARTIALLY_REFUNDED ──refund──> REFUNDED
 * any status before COMPLETED ──cancel──> CANCELLED      (a customer or an operator asked)
 * any status before COMPLETED ──fail──> FAILED           (the saga failed; compensation stops the order)
 * ```
 * PAYMENT_FAILED, INVENTORY_FAILED and DELIVERY_FAILED say which step failed while the saga is being
 * compensated; FAILED (with a reason, see failureReasonOf) is where such an order ends.
 */
export const ORDER_STATUSES = [
  'PENDING',
  'CONFIRMED',
  'COMPLETED',
  'INVENTORY_FAILED',
  'PAYMENT_FAILED',
  'DELIVERY_FAILED',
  'CANCELLED',
  'FAILED',
  'PARTIALLY_REFUNDED',
  'REFUNDED',
] as const;

export type OrderStatus = (typeof ORDER_STATUSES)[number];

export type OrderInput =
  | 'INVENTORY_RESERVATION_FAILED'
  | 'PAYMENT_AUTHORIZED'
  | 'PAYMENT_FAILED'
  | 'DELIVERY_SCHEDULED'
  | 'CAPTURE_FAILED'
  | 'DELIVERY_SCHEDULING_FAILED'
  | 'CANCEL'
  | 'FAIL'
  | 'PARTIAL_REFUND'
  | 'FULL_REFUND';

export type Decision =
  { kind: 'move'; to: OrderStatus } | { kind: 'ignore'; reason: string } | { kind: 'reject'; reason: string };

const move = (to: OrderStatus): Decision => ({ kind: 'move', to });
const ignore = (reason: string): Decision => ({ kind: 'ignore', reason });
const reject = (reason: string): Decision => ({ kind: 'reject', reason });

const NOT_SHIPPED: readonly OrderStatus[] = [
  'PENDING',
  'CONFIRMED',
  'INVENTORY_FAILED',
  'PAYMENT_FAILED',
  'DELIVERY_FAILED',
];
const SHIPPED: readonly OrderStatus[] = ['COMPLETED', 'PARTIALLY_REFUNDED', 'REFUNDED'];
/** Ended without shipping: saga events that arrive afterwards change nothing. */
const ENDED: readonly OrderStatus[] = ['CANCELLED', 'FAILED'];

export function isOrderStatus(value: string): value is OrderStatus {
  return (ORDER_STATUSES as readonly string[]).includes(value);
}

/** Statuses the saga has finished with (nothing more happens without a request). */
export function isFinal(status: OrderStatus): boolean {
  return status === 'CANCELLED' || status === 'FAILED' || status === 'REFUNDED';
}

export type FailureReason = OrderFailureReason;

/** The failure reason an order in a failed step's status stands for when nothing better is known. */
const FAILED_STEP_REASONS: Partial<Record<OrderStatus, FailureReason>> = {
  PAYMENT_FAILED: 'PAYMENT_FAILED',
  INVENTORY_FAILED: 'INVENTORY_ERROR',
  DELIVERY_FAILED: 'DELIVERY_FAILED',
};

/**
 * Whether the coordination service's request to stop an order (CANCEL_ORDER, with the reason the
 * saga is compensated for) ends it FAILED, and with which reason, or CANCELLED (null), as
 * orderFailureReasonOf says; an unknown `<STEP>_FAILED` takes the reason of the step the order shows as
 * failed, if any.
 */
export function failureReasonOf(compensationReason: string, status: OrderStatus): FailureReason | null {
  const reason = orderFailureReasonOf(compensationReason);
  if (reason === 'SAGA_FAILED') return FAILED_STEP_REASONS[status] ?? reason;
  return reason;
}

export function decide(status: OrderStatus, input: OrderInput): Decision {
  switch (input) {
    case 'PAYMENT_AUTHORIZED':
    case 'PAYMENT_FAILED':
      // Payment is taken once, when the reservation of a pending order arrives; a reservation for an
      // order that moved on (paid, failed, cancelled) changes nothing.
      if (status === 'PENDING') return move(input === 'PAYMENT_AUTHORIZED' ? 'CONFIRMED' : 'PAYMENT_FAILED');
      return ignore(`payment was already settled or is no longer wanted (order is ${status})`);

    case 'INVENTORY_RESERVATION_FAILED':
      if (status === 'PENDING') return move('INVENTORY_FAILED');
      if (status === 'INVENTORY_FAILED' || ENDED.includes(status))
        return ignore(`order is already ${status}`);
      return reject(`the reservation of an order that is ${status} cannot have failed`);

    case 'DELIVERY_SCHEDULED':
      // A delivery that succeeds on a later attempt after a reported failure still completes the order.
      if (status === 'CONFIRMED' || status === 'DELIVERY_FAILED') return move('COMPLETED');
      if (SHIPPED.includes(status)) return ignore(`order is already ${status}`);
      if (ENDED.includes(status))
        return ignore(`order is ${status}; its shipment is cancelled by compensation`);
      return reject(`an order that is ${status} was never confirmed for delivery`);

    case 'CAPTURE_FAILED':
      // The shipment was scheduled but the provider refused the capture for good: the payment failed.
      if (status === 'CONFIRMED' || status === 'DELIVERY_FAILED') return move('PAYMENT_FAILED');
      if (status === 'PAYMENT_FAILED' || ENDED.includes(status)) return ignore(`order is already ${status}`);
      return reject(`an order that is ${status} has no payment waiting to be captured`);

    case 'DELIVERY_SCHEDULING_FAILED':
      if (status === 'CONFIRMED') return move('DELIVERY_FAILED');
      if (status === 'DELIVERY_FAILED' || ENDED.includes(status) || SHIPPED.includes(status)) {
        return ignore(`order is already ${status}`);
      }
      return reject(`an order that is ${status} was never confirmed for delivery`);

    case 'CANCEL':
      if (NOT_SHIPPED.includes(status)) return move('CANCELLED');
      if (ENDED.includes(status)) return ignore(`order is already ${status}`);
      return reject(`an order that is ${status} has shipped and can only be refunded`);

    case 'FAIL':
      if (NOT_SHIPPED.includes(status)) return move('FAILED');
      if (ENDED.includes(status)) return ignore(`order is already ${status}`);
      return reject(`an order that is ${status} has shipped and can only be refunded`);

    case 'PARTIAL_REFUND':
    case 'FULL_REFUND':
      if (status === 'COMPLETED' || status === 'PARTIALLY_REFUNDED') {
        return move(input === 'FULL_REFUND' ? 'REFUNDED' : 'PARTIALLY_REFUNDED');
      }
      if (status === 'REFUNDED') return reject('order is already fully refunded');
      return reject(`an order that is ${status} has no captured payment to refund; cancel it instead`);
  }
}

/** Payment states and what undoing the payment takes in each. */
export const PAYMENT_STATUSES = [
  'AUTHORIZED',
  'CAPTURED',
  'FAILED',
  'VOIDED',
  'PARTIALLY_REFUNDED',
  'REFUNDED',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export type Reversal = 'VOID' | 'REFUND' | 'NONE';

/**
 * How to give the money back, whichever compensation was asked for: an authorization is voided, a
 * capture refunded. Asking to void a captured payment refunds it (the customer is owed the money either
 * way), and asking to refund an uncaptured one voids it.
 */
export function reversalFor(status: PaymentStatus | null): Reversal {
  if (status === 'AUTHORIZED') return 'VOID';
  if (status === 'CAPTURED' || status === 'PARTIALLY_REFUNDED') return 'REFUND';
  return 'NONE';
}
