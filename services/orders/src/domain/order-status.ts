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
 * any status before COMPLETED ──cancel──> CANCELLED
 * ```
 */
export const ORDER_STATUSES = [
  'PENDING',
  'CONFIRMED',
  'COMPLETED',
  'INVENTORY_FAILED',
  'PAYMENT_FAILED',
  'DELIVERY_FAILED',
  'CANCELLED',
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

export function isOrderStatus(value: string): value is OrderStatus {
  return (ORDER_STATUSES as readonly string[]).includes(value);
}

/** Statuses the saga has finished with (nothing more happens without a request). */
export function isFinal(status: OrderStatus): boolean {
  return status === 'CANCELLED' || status === 'REFUNDED';
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
      if (status === 'INVENTORY_FAILED' || status === 'CANCELLED')
        return ignore(`order is already ${status}`);
      return reject(`the reservation of an order that is ${status} cannot have failed`);

    case 'DELIVERY_SCHEDULED':
      // A delivery that succeeds on a later attempt after a reported failure still completes the order.
      if (status === 'CONFIRMED' || status === 'DELIVERY_FAILED') return move('COMPLETED');
      if (SHIPPED.includes(status)) return ignore(`order is already ${status}`);
      if (status === 'CANCELLED')
        return ignore('order was cancelled; its shipment is cancelled by compensation');
      return reject(`an order that is ${status} was never confirmed for delivery`);

    case 'CAPTURE_FAILED':
      // The shipment was scheduled but the provider refused the capture for good: the payment failed.
      if (status === 'CONFIRMED' || status === 'DELIVERY_FAILED') return move('PAYMENT_FAILED');
      if (status === 'PAYMENT_FAILED' || status === 'CANCELLED') return ignore(`order is already ${status}`);
      return reject(`an order that is ${status} has no payment waiting to be captured`);

    case 'DELIVERY_SCHEDULING_FAILED':
      if (status === 'CONFIRMED') return move('DELIVERY_FAILED');
      if (status === 'DELIVERY_FAILED' || status === 'CANCELLED' || SHIPPED.includes(status)) {
        return ignore(`order is already ${status}`);
      }
      return reject(`an order that is ${status} was never confirmed for delivery`);

    case 'CANCEL':
      if (NOT_SHIPPED.includes(status)) return move('CANCELLED');
      if (status === 'CANCELLED') return ignore('order is already cancelled');
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
