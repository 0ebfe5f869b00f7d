import { COUPON_CODE_INPUT } from './order-schemas.js';

const nullable = <T extends object>(schema: T) => ({ ...schema, nullable: true });
const DECIMAL_TEXT = '^\\d{1,10}(\\.\\d{1,3})?$';
const amountInput = (description: string) =>
  ({
    anyOf: [
      { type: 'string', pattern: DECIMAL_TEXT },
      { type: 'number', minimum: 0 },
    ],
    description,
  }) as const;

/** The body of POST /coupons; currencies come from the configuration. */
export function createCouponBody(currencies: readonly string[]) {
  return {
    type: 'object',
    required: ['code', 'kind', 'value'],
    additionalProperties: false,
    properties: {
      code: {
        type: 'string',
        pattern: COUPON_CODE_INPUT,
        description: 'The promotion code customers type: letters, digits, - and _; stored upper case',
      },
      kind: { type: 'string', enum: ['PERCENTAGE', 'FIXED'] },
      value: amountInput(
        'PERCENTAGE: a percent in (0, 100] with at most two decimals; FIXED: an amount in currency (capped at the order total)',
      ),
      currency: {
        type: 'string',
        enum: [...currencies],
        description: 'Required for FIXED and with minimumOrderValue; orders in another currency are rejected',
      },
      validFrom: { type: 'string', format: 'date-time', description: 'Default: now' },
      validUntil: { type: 'string', format: 'date-time', description: 'Exclusive; none: no end' },
      minimumOrderValue: amountInput('The order total (before discount) must reach it; in currency'),
      usageLimit: {
        type: 'integer',
        minimum: 1,
        maximum: 100_000_000,
        description: 'Uses in all; none: unlimited',
      },
      perCustomerLimit: {
        type: 'integer',
        minimum: 1,
        maximum: 100_000_000,
        description: 'Uses per customer; none: unlimited',
      },
      active: { type: 'boolean', default: true },
    },
  } as const;
}

export const couponIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid', description: 'Coupon id' } },
} as const;

export const listCouponsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    cursor: { type: 'string', maxLength: 500, description: 'pageInfo.nextCursor of the previous page' },
  },
} as const;

export const couponResponse = {
  type: 'object',
  properties: {
    couponId: { type: 'string', format: 'uuid' },
    code: { type: 'string' },
    kind: { type: 'string', enum: ['PERCENTAGE', 'FIXED'] },
    value: { type: 'string' },
    currency: nullable({ type: 'string' }),
    validFrom: { type: 'string', format: 'date-time' },
    validUntil: nullable({ type: 'string', format: 'date-time' }),
    minimumOrderValue: nullable({ type: 'string' }),
    usageLimit: nullable({ type: 'integer' }),
    perCustomerLimit: nullable({ type: 'integer' }),
    uses: {
      type: 'integer',
      description: 'Uses held by orders now; a failed or cancelled order gives its use back',
    },
    active: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const couponListResponse = {
  type: 'object',
  properties: {
    coupons: { type: 'array', items: couponResponse },
    pageInfo: {
      type: 'object',
      properties: {
        pageSize: { type: 'integer' },
        nextCursor: nullable({
          type: 'string',
          description: 'Pass as cursor for the next page; null on the last',
        }),
      },
    },
  },
} as const;
