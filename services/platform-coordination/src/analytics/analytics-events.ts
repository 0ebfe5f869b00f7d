import type { EventName } from '@fv/contracts';
import type { EventHandler, EventHandlers } from '@fv/messaging';
import type { StepName, WorkflowType } from './domain/analytics-domain.js';
import { analyticsWrites as write } from './analytics-store.js';

type Handlers = { [N in EventName]?: EventHandler<N> };

/** A handler that records the step of a workflow instance its event reached. */
function stepOf<N extends EventName>(
  type: WorkflowType,
  step: StepName,
  keyOf: (event: Parameters<EventHandler<N>>[0]) => string | null,
): EventHandler<N> {
  return async (event, { tx }) => {
    const key = keyOf(event);
    if (key) await write.step(tx, type, key, step, event.occurredAt);
  };
}

const order = 'ORDER_FULFILLMENT';
const returns = 'RETURN_PROCESSING';
const replenishment = 'INVENTORY_REPLENISHMENT';

/** Refunds that are not a return's are a failed order's compensation. */
const isCompensation = (event: { returnId?: string | null; reason: string }) =>
  !event.returnId && event.reason !== 'RETURN_RECEIVED';

const handlers: Handlers = {
  OrderCreated: async (event, { tx }) => {
    const items = event.items.map((item) => ({
      productId: item.productId,
      quantity: item.quantity,
      unitPrice: item.unitPrice,
    }));
    const { orderId, currency, totalAmount, occurredAt: at } = event;
    await write.orderCreated(tx, { orderId, currency, totalAmount, items, at });
    await write.step(tx, order, orderId, 'ORDER_CREATED', at);
  },
  InventoryReserved: stepOf(order, 'INVENTORY_RESERVED', (event) => event.orderId),
  PaymentProcessed: stepOf(order, 'PAYMENT_PROCESSED', (event) => event.orderId),
  OrderConfirmed: stepOf(order, 'ORDER_CONFIRMED', (event) => event.orderId),
  DeliveryScheduled: stepOf(order, 'DELIVERY_SCHEDULED', (event) => event.orderId),
  OrderCompleted: async (event, { tx }) => {
    const { orderId, currency, totalAmount, occurredAt: at } = event;
    await write.step(tx, order, orderId, 'ORDER_COMPLETED', at);
    await write.orderCompleted(tx, { orderId, currency, totalAmount, at });
  },
  OrderFailed: async (event, { tx }) => {
    const failure = { orderId: event.orderId, reason: event.reason, at: event.occurredAt };
    await write.orderFailed(tx, { ...failure, source: 'ORDER_FAILED' });
  },
  // Before OrderFailed existed, a failed saga ended with a cancellation initiated by the system.
  OrderCancelled: async (event, { tx }) => {
    if (event.initiatedBy !== 'SYSTEM') return;
    const failure = { orderId: event.orderId, reason: event.reason, at: event.occurredAt };
    await write.orderFailed(tx, { ...failure, source: 'ORDER_CANCELLED' });
  },
  PaymentRefunded: async (event, { tx }) => {
    await write.refunded(tx, event.orderId, event.amount, isCompensation(event));
    if (event.returnId) await write.step(tx, returns, event.returnId, 'REFUND_PROCESSING', event.occurredAt);
  },
  OrderRefunded: stepOf(returns, 'REFUND_PROCESSING', (event) => event.returnId ?? null),
  InventoryReleased: async (event, { tx }) => write.compensated(tx, event.orderId),
  PaymentVoided: async (event, { tx }) => write.compensated(tx, event.orderId),
  ReturnRequested: stepOf(returns, 'RETURN_REQUEST', (event) => event.returnId),
  ReturnReceived: stepOf(returns, 'RETURN_RECEIPT', (event) => event.returnId),
  InventoryAdjusted: stepOf(returns, 'RESTOCK', (event) =>
    event.reason === 'RETURN' ? (event.reference ?? null) : null,
  ),
  NotificationSent: stepOf(returns, 'CUSTOMER_NOTIFICATION', (event) =>
    event.templateId === 'return-refunded' ? (event.reference ?? null) : null,
  ),
  ReplenishmentRequested: stepOf(replenishment, 'REPLENISHMENT_REQUEST', (event) => event.replenishmentId),
  PurchaseOrderPlaced: stepOf(replenishment, 'PURCHASE_ORDER', (event) => event.replenishmentId),
  PurchaseOrderConfirmed: stepOf(replenishment, 'SUPPLIER_CONFIRMATION', (event) => event.replenishmentId),
  ReplenishmentCompleted: stepOf(replenishment, 'GOODS_RECEIPT', (event) => event.replenishmentId),
  ProductOutOfStock: async (event, { tx }) =>
    write.count(tx, event.occurredAt, 'PRODUCT_OUT_OF_STOCK', event.productId),
  InventoryReservationFailed: async (event, { tx }) => {
    for (const item of event.unavailableItems)
      await write.count(tx, event.occurredAt, 'RESERVATION_FAILED', item.productId);
  },
  LowStockAlert: async (event, { tx }) =>
    write.count(tx, event.occurredAt, 'LOW_STOCK_ALERT', event.productId),
};

/** The analytics consumer's handlers: the events the read model is built from. */
export function analyticsHandlers(): EventHandlers {
  return handlers as EventHandlers;
}

/** The events the analytics consumer group subscribes to. */
export const analyticsEvents = (): EventName[] => Object.keys(handlers) as EventName[];
