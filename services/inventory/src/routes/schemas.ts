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
