import {
  amountInput,
  orderInputProperties,
  orderOptionsInput,
  paymentTokenInput,
  PAYMENT_METHOD_TYPES,
  textInput as text,
  type OrderInputLimits,
} from '@fv/contracts/order-request';
import { idPattern, paginationSchema } from '@fv/service-kit';
import { ORDER_STATUSES } from '../domain/order-status.js';

const UUID = { type: 'string', format: 'uuid' } as const;
const nullable = <T extends object>(schema: T) => ({ ...schema, nullable: true });
/** A promotion code as sent: letters, digits, `-` and `_`, up to 64, surrounding blanks ignored. */
export const COUPON_CODE_INPUT = '^\\s*[A-Za-z0-9][A-Za-z0-9_-]{0,63}\\s*$';
const AMOUNT = {
  type: 'string',
  description: 'Decimal string in the order currency, e.g. "599.99"',
} as const;

/** The most parts a split payment may have. */
export const MAX_PAYMENT_PARTS = 4;

const addressOutput = {
  type: 'object',
  properties: {
    name: nullable({ type: 'string' }),
    street: { type: 'string' },
    city: { type: 'string' },
    state: nullable({ type: 'string' }),
    zipCode: { type: 'string' },
    country: { type: 'string' },
    phone: nullable({ type: 'string' }),
  },
} as const;

/** A split payment: two or more parts, each with its own token and amount. */
const paymentPartsInput = {
  type: 'array',
  minItems: 2,
  maxItems: MAX_PAYMENT_PARTS,
  description:
    'A split payment, instead of paymentMethod: each part with its own token and amount, the amounts adding up to the order total before any discount (a coupon discount is taken off the last part, then the one before). Every part is authorized; if one is declined the others are voided and the payment fails',
  items: {
    type: 'object',
    required: ['type', 'token', 'amount'],
    additionalProperties: false,
    properties: {
      type: { type: 'string', enum: [...PAYMENT_METHOD_TYPES] },
      token: paymentTokenInput,
      amount: { ...amountInput, description: 'Above zero; the parts add up to the order total' },
    },
  },
} as const;

/** The body of POST /orders; limits and currencies come from the configuration. */
export function placeOrderBody(limits: Required<OrderInputLimits>) {
  const order = orderInputProperties(limits);
  return {
    type: 'object',
    required: ['items', 'shippingAddress', 'shippingMethod'],
    additionalProperties: false,
    properties: {
      ...order,
      orderId: {
        ...order.orderId,
        description:
          "The id to place the order under (seed 001 lets the client choose it). Placing it again for the same customer answers that order (202, as a replay); another customer's is 409 ORDER_ID_TAKEN",
      },
      customerId: {
        ...order.customerId,
        description: 'Required for admin and service callers; a customer orders for the token subject',
      },
      paymentMethods: paymentPartsInput,
      couponCode: {
        type: 'string',
        pattern: COUPON_CODE_INPUT,
        description:
          'A promotion code (case-insensitive), applied once the items are reserved and before the payment: the payment is authorized for the total less its discount (CouponApplied). A code that cannot be applied fails the order (CouponRejected; failure.reason COUPON_REJECTED, failure.code the rejection)',
      },
    },
  } as const;
}

export const orderIdParams = {
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'string', pattern: idPattern('ord'), description: 'Order id, as a UUID or ord-<uuid>' },
  },
} as const;

export const cancelOrderBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    reason: {
      type: 'string',
      enum: ['CUSTOMER_REQUESTED', 'MANUAL_INTERVENTION'],
      description: 'Staff only; customers always cancel as CUSTOMER_REQUESTED',
    },
    reasonDetails: text(500),
  },
} as const;

export const refundOrderBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    amount: { ...amountInput, description: 'Amount to refund; the whole refundable rest when omitted' },
    reason: { type: 'string', enum: ['CUSTOMER_REQUESTED', 'RETURN_RECEIVED', 'GOODWILL'] },
  },
} as const;

export const SORTS = [
  'createdAt,desc',
  'createdAt,asc',
  'updatedAt,desc',
  'updatedAt,asc',
  'totalAmount,desc',
  'totalAmount,asc',
] as const;

export const listOrdersQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: {
      type: 'array',
      items: { type: 'string', enum: [...ORDER_STATUSES] },
      description: 'Repeat for several statuses',
    },
    customerId: {
      type: 'string',
      pattern: idPattern('cust'),
      description: 'Staff only (customers always see their own)',
    },
    createdFrom: { type: 'string', format: 'date-time' },
    createdTo: { type: 'string', format: 'date-time' },
    page: { type: 'integer', minimum: 0, maximum: 100_000, default: 0 },
    size: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    sort: { type: 'string', enum: [...SORTS], default: 'createdAt,desc' },
  },
} as const;

export const orderResponse = {
  type: 'object',
  properties: {
    orderId: UUID,
    customerId: UUID,
    customerEmail: nullable({ type: 'string' }),
    status: { type: 'string', enum: [...ORDER_STATUSES] },
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          lineNumber: { type: 'integer' },
          productId: UUID,
          sku: nullable({ type: 'string' }),
          name: nullable({ type: 'string' }),
          quantity: { type: 'integer' },
          unitPrice: AMOUNT,
          lineTotal: AMOUNT,
          warehouseId: nullable({ type: 'string' }),
        },
      },
    },
    totalAmount: { ...AMOUNT, description: "The sum of the order's lines, before any discount" },
    couponCode: nullable({
      type: 'string',
      description: 'The promotion code sent with the order, upper case',
    }),
    discountAmount: nullable({
      ...AMOUNT,
      description:
        'What the coupon took off, once applied; null before, without a coupon, or when it was rejected',
    }),
    chargedAmount: {
      ...AMOUNT,
      description: 'What the customer is charged: totalAmount less discountAmount',
    },
    currency: { type: 'string' },
    paymentMethod: { type: 'object', properties: { type: { type: 'string' } } },
    paymentMethods: nullable({
      type: 'array',
      description:
        'A split payment: its parts as requested (before any discount); null for one payment method',
      items: { type: 'object', properties: { type: { type: 'string' }, amount: AMOUNT } },
    }),
    payment: nullable({
      type: 'object',
      properties: {
        paymentId: UUID,
        status: { type: 'string' },
        amount: AMOUNT,
        refundedAmount: AMOUNT,
        currency: { type: 'string' },
        provider: { type: 'string' },
        providerReference: nullable({ type: 'string' }),
        failureCode: nullable({ type: 'string' }),
        failureMessage: nullable({ type: 'string' }),
        authorizedAt: nullable({ type: 'string', format: 'date-time' }),
        capturedAt: nullable({ type: 'string', format: 'date-time' }),
        voidedAt: nullable({ type: 'string', format: 'date-time' }),
        parts: nullable({
          type: 'array',
          description: "A split payment's parts: authorized amounts (after any discount), status, refunds",
          items: {
            type: 'object',
            properties: {
              index: { type: 'integer' },
              type: { type: 'string' },
              amount: AMOUNT,
              status: { type: 'string' },
              refundedAmount: AMOUNT,
              providerReference: { type: 'string' },
            },
          },
        }),
      },
    }),
    refunds: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          refundId: UUID,
          amount: AMOUNT,
          currency: { type: 'string' },
          reason: { type: 'string' },
          createdAt: { type: 'string', format: 'date-time' },
        },
      },
    },
    shippingAddress: addressOutput,
    shippingMethod: { type: 'string' },
    options: nullable({ type: 'object', properties: orderOptionsInput.properties }),
    metadata: { type: 'object', additionalProperties: { type: 'string' } },
    reservationId: nullable({ type: 'string' }),
    shipment: nullable({
      type: 'object',
      properties: {
        shipmentId: { type: 'string' },
        trackingId: nullable({ type: 'string' }),
        carrier: nullable({ type: 'string' }),
      },
    }),
    failure: nullable({
      type: 'object',
      description:
        "Why the saga stopped: reason is the failed order's reason (PAYMENT_FAILED, INVENTORY_ERROR, DELIVERY_FAILED, TIMEOUT, COUPON_REJECTED, SAGA_FAILED) once it is FAILED; code and message are the failed step's (for a rejected coupon: COUPON_EXPIRED, COUPON_USAGE_LIMIT_REACHED, ...)",
      properties: {
        reason: nullable({ type: 'string' }),
        code: nullable({ type: 'string' }),
        message: nullable({ type: 'string' }),
      },
    }),
    cancellation: nullable({
      type: 'object',
      properties: {
        reason: { type: 'string' },
        initiatedBy: nullable({ type: 'string' }),
        cancelledAt: nullable({ type: 'string', format: 'date-time' }),
      },
    }),
    history: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          from: nullable({ type: 'string' }),
          to: { type: 'string' },
          reason: nullable({ type: 'string' }),
          at: { type: 'string', format: 'date-time' },
        },
      },
    },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    completedAt: nullable({ type: 'string', format: 'date-time' }),
  },
} as const;

export const orderListResponse = {
  type: 'object',
  properties: {
    orders: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          orderId: UUID,
          customerId: UUID,
          status: { type: 'string' },
          totalAmount: AMOUNT,
          couponCode: nullable({ type: 'string' }),
          chargedAmount: AMOUNT,
          currency: { type: 'string' },
          itemCount: { type: 'integer' },
          paymentStatus: nullable({ type: 'string' }),
          createdAt: { type: 'string', format: 'date-time' },
          updatedAt: { type: 'string', format: 'date-time' },
        },
      },
    },
    pagination: paginationSchema,
  },
} as const;

const FAILURE = orderResponse.properties.failure;
const CANCELLATION = orderResponse.properties.cancellation;

export const orderStatusResponse = {
  type: 'object',
  properties: {
    orderId: UUID,
    status: { type: 'string', enum: [...ORDER_STATUSES] },
    final: {
      type: 'boolean',
      description: 'CANCELLED, FAILED or REFUNDED: nothing more happens without a request',
    },
    failure: FAILURE,
    cancellation: CANCELLATION,
    saga: {
      type: 'object',
      description: 'The saga as this service knows it: the steps it has seen, and what it waits for next',
      properties: {
        steps: {
          type: 'array',
          items: {
            type: 'object',
            properties: { step: { type: 'string' }, at: { type: 'string', format: 'date-time' } },
          },
        },
        waitingFor: nullable({
          type: 'string',
          enum: [
            'INVENTORY_RESERVATION',
            'PAYMENT_PROCESSING',
            'SHIPPING_LABEL_CREATION',
            'COMPENSATION',
            null,
          ],
        }),
      },
    },
    statusHistory: {
      type: 'array',
      description: 'Every status the order went through, oldest first, with what moved it and when',
      items: {
        type: 'object',
        properties: {
          status: { type: 'string' },
          previousStatus: nullable({ type: 'string' }),
          reason: nullable({ type: 'string' }),
          at: { type: 'string', format: 'date-time' },
        },
      },
    },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;
