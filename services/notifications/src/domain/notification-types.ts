import type { EventMap } from '@fv/contracts';

/** The notifications customers get, by template key, with the variables their templates may use. */
export const NOTIFICATION_TYPES = {
  'order-confirmed': {
    event: 'OrderConfirmed',
    variables: ['orderId', 'customerName', 'totalAmount', 'currency', 'itemCount', 'shippingMethod'],
  },
  'delivery-scheduled': {
    event: 'DeliveryScheduled',
    variables: [
      'orderId',
      'customerName',
      'trackingId',
      'carrier',
      'labelNumber',
      'serviceLevel',
      'estimatedDelivery',
    ],
  },
  'shipment-dispatched': {
    event: 'ShipmentDispatched',
    variables: ['orderId', 'customerName', 'trackingId', 'carrier', 'estimatedDelivery'],
  },
  'shipment-delivered': {
    event: 'ShipmentDelivered',
    variables: ['orderId', 'customerName', 'trackingId', 'carrier', 'deliveredAt', 'signedBy'],
  },
  'order-cancelled': {
    event: 'OrderCancelled',
    variables: ['orderId', 'customerName', 'reason', 'reasonDetails'],
  },
  'order-failed': {
    event: 'OrderFailed',
    variables: ['orderId', 'customerName', 'reason', 'reasonDetails'],
  },
  'payment-failed': {
    event: 'PaymentFailed',
    variables: ['orderId', 'customerName', 'amount', 'currency', 'errorMessage'],
  },
  'order-refunded': {
    event: 'OrderRefunded',
    variables: ['orderId', 'customerName', 'amount', 'currency', 'fullRefund'],
  },
  'return-refunded': {
    event: 'OrderRefunded',
    variables: ['orderId', 'customerName', 'returnId', 'amount', 'currency', 'fullRefund'],
  },
  'order-cancellation-notice': {
    event: 'CompensationRequested',
    variables: ['orderId', 'customerName', 'reason'],
  },
} as const;

export type NotificationType = keyof typeof NOTIFICATION_TYPES;
export type Vars = Record<string, string>;

function date(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString().slice(0, 10);
}

/** Readable reason codes for customer-facing text, e.g. PAYMENT_FAILED → "payment failed". */
export function humanize(code: string): string {
  return code.toLowerCase().replace(/_/g, ' ');
}

function compact(values: Record<string, string | null | undefined>): Vars {
  const result: Vars = {};
  for (const [key, value] of Object.entries(values))
    if (value !== null && value !== undefined) result[key] = value;
  return result;
}

/** The template variables an event provides (a variable is absent when the event has no value for it). */
export const variablesOf = {
  OrderConfirmed: (e: EventMap['OrderConfirmed']) =>
    compact({
      orderId: e.orderId,
      customerName: e.shippingAddress.name,
      totalAmount: e.totalAmount,
      currency: e.currency,
      itemCount: String(e.items.reduce((sum, item) => sum + item.quantity, 0)),
      shippingMethod: e.shippingMethod,
    }),
  DeliveryScheduled: (e: EventMap['DeliveryScheduled']) =>
    compact({
      orderId: e.orderId,
      customerName: e.shippingAddress.name,
      trackingId: e.trackingId,
      carrier: e.carrier,
      labelNumber: e.labelNumber,
      serviceLevel: e.serviceLevel,
      estimatedDelivery: date(e.estimatedDeliveryAt),
    }),
  ShipmentDispatched: (e: EventMap['ShipmentDispatched']) =>
    compact({
      orderId: e.orderId,
      trackingId: e.trackingId,
      carrier: e.carrier,
      estimatedDelivery: date(e.estimatedDeliveryAt),
    }),
  ShipmentDelivered: (e: EventMap['ShipmentDelivered']) =>
    compact({
      orderId: e.orderId,
      trackingId: e.trackingId,
      carrier: e.carrier,
      deliveredAt: date(e.deliveredAt),
      signedBy: e.signedBy,
    }),
  OrderCancelled: (e: EventMap['OrderCancelled']) =>
    compact({ orderId: e.orderId, reason: humanize(e.reason), reasonDetails: e.reasonDetails }),
  OrderFailed: (e: EventMap['OrderFailed']) =>
    compact({ orderId: e.orderId, reason: humanize(e.reason), reasonDetails: e.reasonDetails }),
  PaymentFailed: (e: EventMap['PaymentFailed']) =>
    compact({ orderId: e.orderId, amount: e.amount, currency: e.currency, errorMessage: e.errorMessage }),
  OrderRefunded: (e: EventMap['OrderRefunded']) =>
    compact({
      orderId: e.orderId,
      amount: e.amount,
      currency: e.currency,
      fullRefund: e.fullRefund ? 'yes' : 'no',
      returnId: e.returnId,
    }),
  CompensationRequested: (e: EventMap['CompensationRequested']) =>
    compact({ orderId: e.orderId, reason: humanize(e.reason) }),
} as const;
