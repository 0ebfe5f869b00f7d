import type { InventoryLimits } from '../config.js';
import { idPattern, WAREHOUSE_ID_PATTERN } from '../domain/ids.js';
import { RESERVATION_STATUSES, RELEASE_REASONS } from '../domain/reservation.js';
import { ADJUSTMENT_REASONS } from '../domain/stock.js';

export const productIdSchema = {
  type: 'string',
  pattern: idPattern('product'),
  description: 'Product id: a UUID, optionally prefixed `prod-`. Responses give the plain UUID.',
} as const;
export const orderIdSchema = {
  type: 'string',
  pattern: idPattern('order'),
  description: 'Order id: a UUID, optionally prefixed `ord-`. Responses give the plain UUID.',
} as const;
export const reservationIdSchema = {
  type: 'string',
  pattern: idPattern('reservation'),
  description: 'Reservation id: a UUID, optionally prefixed `res-`. Responses give the plain UUID.',
} as const;
export const warehouseIdSchema = {
  type: 'string',
  pattern: WAREHOUSE_ID_PATTERN,
  description: 'Location (warehouse) code, e.g. `wh-001`.',
} as const;

const timestamp = { type: 'string', format: 'date-time' } as const;
const nullableTimestamp = { type: 'string', format: 'date-time', nullable: true } as const;

export const locationSchema = {
  type: 'object',
  required: [
    'productId',
    'warehouseId',
    'onHand',
    'reserved',
    'available',
    'lowStockThreshold',
    'lowStock',
    'updatedAt',
  ],
  properties: {
    productId: { type: 'string', format: 'uuid' },
    warehouseId: { type: 'string' },
    onHand: { type: 'integer', description: 'Units physically at the location.' },
    reserved: { type: 'integer', description: 'Units held for orders.' },
    available: { type: 'integer', description: 'Units that can be reserved (onHand - reserved).' },
    lowStockThreshold: { type: 'integer' },
    lowStock: { type: 'boolean', description: 'available <= lowStockThreshold' },
    updatedAt: timestamp,
  },
} as const;

export const productStockSchema = {
  type: 'object',
  required: ['productId', 'onHand', 'reserved', 'available', 'lowStock', 'locations'],
  properties: {
    productId: { type: 'string', format: 'uuid' },
    onHand: { type: 'integer' },
    reserved: { type: 'integer' },
    available: { type: 'integer' },
    lowStock: { type: 'boolean', description: 'Some location is at or below its threshold.' },
    locations: { type: 'array', items: locationSchema },
  },
} as const;

export const reservationSchema = {
  type: 'object',
  required: [
    'reservationId',
    'orderId',
    'status',
    'items',
    'expiresAt',
    'createdAt',
    'confirmedAt',
    'releasedAt',
    'releaseReason',
    'deductedAt',
  ],
  properties: {
    reservationId: { type: 'string', format: 'uuid' },
    orderId: { type: 'string', format: 'uuid' },
    status: { type: 'string', enum: [...RESERVATION_STATUSES] },
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['productId', 'warehouseId', 'quantity'],
        properties: {
          productId: { type: 'string' },
          warehouseId: { type: 'string' },
          quantity: { type: 'integer' },
        },
      },
    },
    expiresAt: {
      ...timestamp,
      description: 'When an ACTIVE reservation lapses; confirmed reservations do not.',
    },
    createdAt: timestamp,
    confirmedAt: nullableTimestamp,
    releasedAt: nullableTimestamp,
    releaseReason: { type: 'string', enum: [...RELEASE_REASONS], nullable: true },
    deductedAt: nullableTimestamp,
  },
} as const;

export const adjustmentReasonSchema = {
  type: 'string',
  enum: [...ADJUSTMENT_REASONS],
  description:
    'RESTOCK (goods received), DAMAGED, LOST, CORRECTION (a count), RETURN (goods back from a customer).',
} as const;

/** The most units a count or a change of stock may name. */
export const MAX_UNITS = 1_000_000_000;

export const lowStockQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    warehouseId: warehouseIdSchema,
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    offset: { type: 'integer', minimum: 0, default: 0 },
  },
} as const;

export const lowStockPageSchema = {
  type: 'object',
  required: ['items', 'total', 'limit', 'offset'],
  properties: {
    items: { type: 'array', items: locationSchema },
    total: { type: 'integer' },
    limit: { type: 'integer' },
    offset: { type: 'integer' },
  },
} as const;

export const setStockLevelBody = {
  type: 'object',
  required: ['onHand'],
  additionalProperties: false,
  properties: {
    onHand: { type: 'integer', minimum: 0, maximum: MAX_UNITS },
    lowStockThreshold: { type: 'integer', minimum: 0, maximum: MAX_UNITS },
    reason: {
      ...adjustmentReasonSchema,
      description: 'Recorded when units on hand change; RESTOCK for a new location, CORRECTION otherwise.',
    },
    reference: { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const;

export const adjustStockBody = {
  type: 'object',
  required: ['productId', 'warehouseId', 'quantityChange', 'reason'],
  additionalProperties: false,
  properties: {
    productId: productIdSchema,
    warehouseId: warehouseIdSchema,
    quantityChange: {
      type: 'integer',
      minimum: -MAX_UNITS,
      maximum: MAX_UNITS,
      description:
        'Signed change in units on hand, never 0: positive for goods received, negative for goods gone.',
    },
    reason: adjustmentReasonSchema,
    reference: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: 'External reference, e.g. a purchase order.',
    },
  },
} as const;

export const adjustmentSchema = {
  type: 'object',
  required: [
    'adjustmentId',
    'productId',
    'warehouseId',
    'quantityChange',
    'previousQuantity',
    'newQuantity',
    'reason',
    'reference',
    'location',
  ],
  properties: {
    adjustmentId: { type: 'string', format: 'uuid' },
    productId: { type: 'string', format: 'uuid' },
    warehouseId: { type: 'string' },
    quantityChange: { type: 'integer' },
    previousQuantity: { type: 'integer' },
    newQuantity: { type: 'integer' },
    reason: { type: 'string' },
    reference: { type: 'string', nullable: true },
    location: locationSchema,
  },
} as const;

/** The path of one product's stock at one location. */
export const locationParams = {
  type: 'object',
  required: ['productId', 'warehouseId'],
  properties: { productId: productIdSchema, warehouseId: warehouseIdSchema },
} as const;

const MAX_TTL_SECONDS = 7 * 24 * 3600;

/** The body of a reservation, bounded by the configured lines, quantities and default lifetime. */
export function reserveStockBody(limits: InventoryLimits) {
  return {
    type: 'object',
    required: ['orderId', 'items'],
    additionalProperties: false,
    properties: {
      orderId: orderIdSchema,
      items: {
        type: 'array',
        minItems: 1,
        maxItems: limits.maxReservationLines,
        items: {
          type: 'object',
          required: ['productId', 'quantity'],
          additionalProperties: false,
          properties: {
            productId: productIdSchema,
            quantity: { type: 'integer', minimum: 1, maximum: limits.maxQuantityPerOrder },
            warehouseId: warehouseIdSchema,
          },
        },
      },
      ttlSeconds: {
        type: 'integer',
        minimum: 1,
        maximum: MAX_TTL_SECONDS,
        description: `Seconds until the reservation lapses unless confirmed (default ${limits.reservationTtlSeconds}).`,
      },
    },
  } as const;
}

export const releaseReservationBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    reservationId: reservationIdSchema,
    orderId: orderIdSchema,
    reason: { type: 'string', enum: ['MANUAL', 'ORDER_CANCELLED'], default: 'MANUAL' },
  },
} as const;
