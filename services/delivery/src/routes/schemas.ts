import { idPattern } from '@fv/service-kit';
import { RETURN_REASONS, ITEM_CONDITIONS, RETURN_STATUSES } from '../domain/returns.js';
import { SHIPMENT_STATUSES, TRACKING_STATUSES } from '../domain/shipment-status.js';

/** A UUID, plain or with the platform's prefix (`ord-<uuid>`); responses always carry the plain form. */
export const idSchema = {
  type: 'string',
  pattern: idPattern(),
  description: 'UUID; the prefixed form (e.g. ord-<uuid>) is accepted',
} as const;

const nullableString = { type: 'string', nullable: true } as const;
const nullableDate = { type: 'string', format: 'date-time', nullable: true } as const;

export const pagingQuery = {
  page: { type: 'integer', minimum: 0, default: 0, description: 'Zero-based page number' },
  size: { type: 'integer', minimum: 1, maximum: 100, default: 20, description: 'Page size' },
} as const;

const addressSchema = {
  type: 'object',
  properties: {
    name: nullableString,
    street: { type: 'string' },
    city: { type: 'string' },
    state: nullableString,
    zipCode: { type: 'string' },
    country: { type: 'string' },
    phone: nullableString,
  },
} as const;

export const shipmentSchema = {
  type: 'object',
  properties: {
    shipmentId: { type: 'string', format: 'uuid' },
    orderId: { type: 'string', format: 'uuid' },
    customerId: { type: 'string' },
    status: { type: 'string', enum: SHIPMENT_STATUSES },
    carrier: { type: 'string' },
    serviceLevel: { type: 'string' },
    labelNumber: { type: 'string' },
    trackingId: { type: 'string' },
    labelUrl: nullableString,
    shippingAddress: addressSchema,
    items: {
      type: 'array',
      items: { type: 'object', properties: { productId: { type: 'string' }, quantity: { type: 'integer' } } },
    },
    estimatedDeliveryAt: nullableDate,
    dispatchedAt: nullableDate,
    deliveredAt: nullableDate,
    signedBy: nullableString,
    cancelledAt: nullableDate,
    cancelReason: nullableString,
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const trackingSchema = {
  type: 'object',
  properties: {
    shipmentId: { type: 'string' },
    orderId: { type: 'string' },
    trackingId: { type: 'string' },
    carrier: { type: 'string' },
    status: { type: 'string', enum: SHIPMENT_STATUSES },
    estimatedDeliveryAt: nullableDate,
    deliveredAt: nullableDate,
    signedBy: nullableString,
    events: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          status: { type: 'string' },
          occurredAt: { type: 'string', format: 'date-time' },
          location: nullableString,
          description: nullableString,
          source: { type: 'string', enum: ['CARRIER', 'OPERATOR', 'SYSTEM'] },
        },
      },
    },
  },
} as const;

export const labelSchema = {
  type: 'object',
  properties: {
    shipmentId: { type: 'string' },
    orderId: { type: 'string' },
    carrier: { type: 'string' },
    serviceLevel: { type: 'string' },
    labelNumber: { type: 'string' },
    trackingId: { type: 'string' },
    void: {
      type: 'boolean',
      description: 'True once the shipment was cancelled: the label must not be used',
    },
    shipTo: addressSchema,
    packages: { type: 'integer', description: 'Units in the shipment' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const trackingUpdateBody = {
  status: { type: 'string', enum: TRACKING_STATUSES },
  occurredAt: { type: 'string', format: 'date-time', description: 'When the carrier scanned the parcel' },
  location: { type: 'string', minLength: 1, maxLength: 200, nullable: true },
  description: { type: 'string', minLength: 1, maxLength: 500, nullable: true },
  signedBy: {
    type: 'string',
    minLength: 1,
    maxLength: 200,
    nullable: true,
    description: 'Only with DELIVERED',
  },
  estimatedDeliveryAt: { type: 'string', format: 'date-time', nullable: true },
} as const;

export const trackingUpdateResult = {
  type: 'object',
  properties: {
    shipmentId: { type: 'string' },
    status: { type: 'string', enum: SHIPMENT_STATUSES },
    duplicate: {
      type: 'boolean',
      description: 'True when this carrier event had already been recorded (nothing changed)',
    },
  },
} as const;

export const returnSchema = {
  type: 'object',
  properties: {
    returnId: { type: 'string', format: 'uuid' },
    shipmentId: { type: 'string', format: 'uuid' },
    orderId: { type: 'string', format: 'uuid' },
    customerId: { type: 'string' },
    status: { type: 'string', enum: RETURN_STATUSES },
    reason: { type: 'string', enum: RETURN_REASONS },
    comment: nullableString,
    warehouseId: nullableString,
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          productId: { type: 'string' },
          quantity: { type: 'integer' },
          reason: nullableString,
          condition: { type: 'string', enum: ITEM_CONDITIONS, nullable: true },
        },
      },
    },
    requestedAt: { type: 'string', format: 'date-time' },
    receivedAt: nullableDate,
  },
} as const;

/** The query of GET /shipments. */
export const shipmentListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    orderId: idSchema,
    customerId: { type: 'string', minLength: 1, maxLength: 100 },
    status: { type: 'string', enum: SHIPMENT_STATUSES },
    ...pagingQuery,
  },
} as const;

/** The body of POST /shipments/{shipmentId}/tracking-events. */
export const trackingEventBody = {
  type: 'object',
  additionalProperties: false,
  required: ['status', 'occurredAt'],
  properties: trackingUpdateBody,
} as const;

/** The body of POST /shipments/{shipmentId}/delivery-confirmation. */
export const deliveryConfirmationBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    deliveredAt: { type: 'string', format: 'date-time' },
    signedBy: trackingUpdateBody.signedBy,
    location: trackingUpdateBody.location,
  },
} as const;

/** The body of the carrier's tracking webhook: a scan, named by the carrier's event id. */
export const carrierWebhookBody = {
  type: 'object',
  additionalProperties: false,
  required: ['eventId', 'trackingId', 'status', 'occurredAt'],
  properties: {
    eventId: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: "The carrier's id of this scan",
    },
    trackingId: { type: 'string', minLength: 1, maxLength: 50 },
    ...trackingUpdateBody,
  },
} as const;

/** The body of POST /returns. */
export const returnRequestBody = {
  type: 'object',
  additionalProperties: false,
  required: ['shipmentId', 'reason', 'items'],
  properties: {
    shipmentId: idSchema,
    reason: { type: 'string', enum: RETURN_REASONS },
    comment: { type: 'string', maxLength: 1000, nullable: true },
    items: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['productId', 'quantity'],
        properties: {
          productId: { type: 'string', minLength: 1, maxLength: 100 },
          quantity: { type: 'integer', minimum: 1, maximum: 100000 },
          reason: { type: 'string', enum: RETURN_REASONS, nullable: true },
        },
      },
    },
  },
} as const;

/** The query of GET /returns. */
export const returnListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    orderId: idSchema,
    shipmentId: idSchema,
    customerId: { type: 'string', minLength: 1, maxLength: 100 },
    status: { type: 'string', enum: RETURN_STATUSES },
    ...pagingQuery,
  },
} as const;

/** The body of POST /returns/{returnId}/receive: every product of the return with its condition. */
export const receiveReturnBody = {
  type: 'object',
  additionalProperties: false,
  required: ['warehouseId', 'items'],
  properties: {
    warehouseId: { type: 'string', minLength: 1, maxLength: 100 },
    items: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['productId', 'condition'],
        properties: {
          productId: { type: 'string', minLength: 1, maxLength: 100 },
          condition: { type: 'string', enum: ITEM_CONDITIONS },
        },
      },
    },
  },
} as const;
