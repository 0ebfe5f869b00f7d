import type { Principal } from '@fv/service-kit';
import { isFinal, isOrderStatus } from '../domain/order-status.js';
import { findOrder, type Db, type OrderRow } from '../db/orders-store.js';
import { orderEvents } from '../routes/order-events-feed.js';
import { assertVisible } from './get-order.js';
import { toOrderView, type OrderView } from './order-view.js';

/** What the saga waits for next, as this service sees it; null once the order is final or shipped. */
export type NextStep =
  'INVENTORY_RESERVATION' | 'PAYMENT_PROCESSING' | 'SHIPPING_LABEL_CREATION' | 'COMPENSATION' | null;

export interface OrderStatusView {
  orderId: string;
  status: string;
  /** Nothing more happens to the order without a request (CANCELLED, FAILED, REFUNDED). */
  final: boolean;
  failure: OrderView['failure'];
  cancellation: OrderView['cancellation'];
  saga: { steps: { step: string; at: string }[]; waitingFor: NextStep };
  statusHistory: { status: string; previousStatus: string | null; reason: string | null; at: string }[];
  createdAt: string;
  updatedAt: string;
}

function waitingFor(order: OrderRow): NextStep {
  switch (order.status) {
    case 'PENDING':
      return order.reservationId ? 'PAYMENT_PROCESSING' : 'INVENTORY_RESERVATION';
    case 'CONFIRMED':
      return 'SHIPPING_LABEL_CREATION';
    case 'INVENTORY_FAILED':
    case 'PAYMENT_FAILED':
    case 'DELIVERY_FAILED':
      return 'COMPENSATION';
    default:
      return null;
  }
}

/**
 * The order's status (seed 003's `GET /orders/{id}/status`): where it stands, why it failed or was
 * cancelled, the saga steps this service has seen with when, and every status change with its time.
 */
export function toOrderStatusView(order: OrderRow): OrderStatusView {
  const view = toOrderView(order);
  const steps = orderEvents(order).flatMap((event) =>
    event.event === 'step' ? [{ step: event.data.step, at: event.data.at }] : [],
  );
  return {
    orderId: order.id,
    status: order.status,
    final: isOrderStatus(order.status) && isFinal(order.status),
    failure: view.failure,
    cancellation: view.cancellation,
    saga: { steps, waitingFor: waitingFor(order) },
    statusHistory: view.history.map((change) => ({
      status: change.to,
      previousStatus: change.from,
      reason: change.reason,
      at: change.at,
    })),
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
  };
}

export async function getOrderStatus(db: Db, caller: Principal, orderId: string): Promise<OrderStatusView> {
  return toOrderStatusView(assertVisible(caller, orderId, await findOrder(db, orderId)));
}
