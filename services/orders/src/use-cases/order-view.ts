import type { Address, OrderItem, OrderOptions } from '@fv/contracts';
import type { Prisma } from '../generated/prisma/client.js';
import { currencyExponent, fromMinorUnits, toMinorUnits } from '../domain/money.js';
import type { OrderRow, PaymentRow } from '../db/orders-store.js';
import { paymentPartsOf, requestedPartsOf } from '../domain/split-payment.js';

type Decimal = Prisma.Decimal;

export function amountOf(value: Decimal, currency: string): string {
  return value.toFixed(currencyExponent(currency));
}

/**
 * What the customer pays for the order: its total less the discount of an applied coupon. Payments,
 * OrderConfirmed and OrderCompleted carry this amount; `totalAmount` stays the sum of the lines.
 */
export function chargedAmountOf(
  order: Pick<OrderRow, 'totalAmount' | 'discountAmount' | 'currency'>,
): string {
  const { currency } = order;
  if (order.discountAmount === null) return amountOf(order.totalAmount, currency);
  const total = toMinorUnits(amountOf(order.totalAmount, currency), currency);
  const discount = toMinorUnits(amountOf(order.discountAmount, currency), currency);
  return fromMinorUnits(total > discount ? total - discount : 0n, currency);
}

const iso = (value: Date | null) => (value ? value.toISOString() : null);

export interface OrderView {
  orderId: string;
  customerId: string;
  customerEmail: string | null;
  status: string;
  items: {
    lineNumber: number;
    productId: string;
    sku: string | null;
    name: string | null;
    quantity: number;
    unitPrice: string;
    lineTotal: string;
    warehouseId: string | null;
  }[];
  totalAmount: string;
  /** The promotion code sent with the order (normalised), or null. */
  couponCode: string | null;
  /** What the coupon took off, once applied (CouponApplied); null before, without one, or when rejected. */
  discountAmount: string | null;
  /** What the customer is charged: totalAmount less discountAmount. */
  chargedAmount: string;
  currency: string;
  paymentMethod: { type: string };
  /** A split payment's parts as requested (amounts before any discount); null for one payment method. */
  paymentMethods: { type: string; amount: string }[] | null;
  payment: {
    paymentId: string;
    status: string;
    amount: string;
    refundedAmount: string;
    currency: string;
    provider: string;
    providerReference: string | null;
    failureCode: string | null;
    failureMessage: string | null;
    authorizedAt: string | null;
    capturedAt: string | null;
    voidedAt: string | null;
    /** A split payment's parts, as authorized (after any discount), captured and refunded. */
    parts:
      | {
          index: number;
          type: string;
          amount: string;
          status: string;
          refundedAmount: string;
          providerReference: string;
        }[]
      | null;
  } | null;
  refunds: { refundId: string; amount: string; currency: string; reason: string; createdAt: string }[];
  shippingAddress: Address;
  shippingMethod: string;
  options: OrderOptions | null;
  metadata: Record<string, string>;
  reservationId: string | null;
  shipment: { shipmentId: string; trackingId: string | null; carrier: string | null } | null;
  /** Why the saga stopped: the failed step's code and message, and the order's failure reason once it is FAILED. */
  failure: { reason: string | null; code: string | null; message: string | null } | null;
  cancellation: { reason: string; initiatedBy: string | null; cancelledAt: string | null } | null;
  history: { from: string | null; to: string; reason: string | null; at: string }[];
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
}

/** The order as the API shows it: amounts as decimal strings, ids as plain UUIDs, times in ISO 8601. */
export function toOrderView(order: OrderRow): OrderView {
  const { currency } = order;
  const payment = order.payment;
  return {
    orderId: order.id,
    customerId: order.customerId,
    customerEmail: order.customerEmail,
    status: order.status,
    items: order.items.map((item) => ({
      lineNumber: item.lineNumber,
      productId: item.productId,
      sku: item.sku,
      name: item.productName,
      quantity: item.quantity,
      unitPrice: amountOf(item.unitPrice, currency),
      lineTotal: amountOf(item.lineTotal, currency),
      warehouseId: item.warehouseId,
    })),
    totalAmount: amountOf(order.totalAmount, currency),
    couponCode: order.couponCode,
    discountAmount: order.discountAmount === null ? null : amountOf(order.discountAmount, currency),
    chargedAmount: chargedAmountOf(order),
    currency,
    paymentMethod: { type: order.paymentMethodType },
    paymentMethods:
      requestedPartsOf(order.paymentParts)?.map((part) => ({
        type: part.type,
        amount: fromMinorUnits(toMinorUnits(part.amount, currency), currency),
      })) ?? null,
    payment: payment && paymentView(payment, currency),
    refunds: order.refunds.map((refund) => ({
      refundId: refund.id,
      amount: amountOf(refund.amount, currency),
      currency: refund.currency,
      reason: refund.reason,
      createdAt: refund.createdAt.toISOString(),
    })),
    shippingAddress: order.shippingAddress as unknown as Address,
    shippingMethod: order.shippingMethod,
    options: (order.options as unknown as OrderOptions | null) ?? null,
    metadata: order.metadata as Record<string, string>,
    reservationId: order.reservationId,
    shipment: order.shipmentId
      ? { shipmentId: order.shipmentId, trackingId: order.trackingId, carrier: order.carrier }
      : null,
    failure:
      order.failureCode || order.failureReason
        ? { reason: order.failureReason, code: order.failureCode, message: order.failureMessage }
        : null,
    cancellation: order.cancellationReason
      ? {
          reason: order.cancellationReason,
          initiatedBy: order.cancelledBy,
          cancelledAt: iso(order.cancelledAt),
        }
      : null,
    history: order.history.map((change) => ({
      from: change.fromStatus,
      to: change.toStatus,
      reason: change.reason,
      at: change.createdAt.toISOString(),
    })),
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
    completedAt: iso(order.completedAt),
  };
}

/** The order's payment as the API shows it, with a split payment's parts. */
function paymentView(payment: PaymentRow, currency: string): NonNullable<OrderView['payment']> {
  return {
    paymentId: payment.id,
    status: payment.status,
    amount: amountOf(payment.amount, currency),
    refundedAmount: amountOf(payment.refundedAmount, currency),
    currency: payment.currency,
    provider: payment.provider,
    providerReference: payment.providerReference,
    failureCode: payment.failureCode,
    failureMessage: payment.failureMessage,
    authorizedAt: iso(payment.authorizedAt),
    capturedAt: iso(payment.capturedAt),
    voidedAt: iso(payment.voidedAt),
    parts:
      paymentPartsOf(payment.parts)?.map((part) => ({
        index: part.index,
        type: part.type,
        amount: part.amount,
        status: part.status,
        refundedAmount: part.refundedAmount,
        providerReference: part.providerReference,
      })) ?? null,
  };
}

/** The order's lines as events carry them. */
export function eventItems(order: OrderRow): OrderItem[] {
  return order.items.map((item) => ({
    productId: item.productId,
    sku: item.sku,
    quantity: item.quantity,
    unitPrice: amountOf(item.unitPrice, order.currency),
    warehouseId: item.warehouseId,
  }));
}
