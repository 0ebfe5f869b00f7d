/**
 * JSON schemas of an order as a client sends it. The order service validates `POST /orders` with them
 * and the coordination service validates `POST /workflows/order/start` with the same parts before it
 * hands the order on, so the two answer a bad field alike (`body.items.0.quantity`, …).
 */

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/** Pattern of an id sent as `<uuid>` or `<prefix>-<uuid>` (e.g. `prod-<uuid>`). */
function prefixedId(prefix: string): string {
  return `^(${prefix}-)?${UUID}$`;
}

/** A non-blank string of at most `maxLength` characters. */
export function textInput<N extends number>(maxLength: N) {
  return { type: 'string', minLength: 1, maxLength, pattern: '\\S' } as const;
}

/** An amount's decimal text: up to 10 digits, up to 3 decimals. */
export const DECIMAL_TEXT = '^\\d{1,10}(\\.\\d{1,3})?$';

/** An amount as a decimal string ("599.99") or a JSON number (599.99). */
export const amountInput = {
  anyOf: [
    { type: 'string', pattern: DECIMAL_TEXT },
    { type: 'number', minimum: 0 },
  ],
} as const;

export const PAYMENT_METHOD_TYPES = ['CREDIT_CARD', 'DEBIT_CARD', 'PAYPAL', 'BANK_TRANSFER'] as const;
export const SHIPPING_METHODS = ['STANDARD', 'EXPRESS', 'OVERNIGHT'] as const;
export const ORDER_PRIORITIES = ['LOW', 'NORMAL', 'HIGH'] as const;

/** A payment provider's token, as the simulator's test tokens and real ones are written. */
export const paymentTokenInput = { type: 'string', pattern: '^[A-Za-z0-9_-]{3,200}$' } as const;

export const addressInput = {
  type: 'object',
  required: ['street', 'city', 'zipCode', 'country'],
  additionalProperties: false,
  properties: {
    name: textInput(200),
    street: textInput(200),
    city: textInput(100),
    state: textInput(100),
    zipCode: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9 -]{1,10}$', description: 'Postal code' },
    country: { type: 'string', pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 code, e.g. US' },
    phone: { type: 'string', pattern: '^\\+[1-9][0-9]{6,14}$', description: 'E.164, e.g. +12125550100' },
  },
} as const;

export const orderOptionsInput = {
  type: 'object',
  additionalProperties: false,
  properties: {
    priority: { type: 'string', enum: [...ORDER_PRIORITIES] },
    requireSignature: { type: 'boolean' },
    giftWrap: { type: 'boolean' },
    expressProcessing: { type: 'boolean' },
  },
} as const;

/** Free-form string labels: at most 20, names up to 100 characters, values up to 500. */
export const labelsInput = {
  type: 'object',
  maxProperties: 20,
  propertyNames: { maxLength: 100 },
  additionalProperties: { type: 'string', maxLength: 500 },
} as const;

/** What the order service accepts, from its configuration; a caller that does not know it passes none. */
export interface OrderInputLimits {
  /** The currencies orders may be placed in; any three capital letters when not given. */
  currencies?: readonly string[];
  maxQuantityPerLine: number;
  maxLines: number;
}

/** A currency code: one of the accepted currencies, or any ISO 4217-shaped code when none are named. */
export function currencyInput(limits: OrderInputLimits) {
  return limits.currencies
    ? ({ type: 'string', enum: [...limits.currencies] } as const)
    : ({ type: 'string', pattern: '^[A-Z]{3}$' } as const);
}

/** The properties of one order line: product, quantity, the price the customer saw, a warehouse. */
export function orderLineProperties(limits: OrderInputLimits) {
  return {
    productId: { type: 'string', pattern: prefixedId('prod') },
    quantity: { type: 'integer', minimum: 1, maximum: limits.maxQuantityPerLine },
    unitPrice: {
      ...amountInput,
      description: 'Price the customer saw; must equal the catalog price. Omitted: the catalog price',
    },
    warehouseId: textInput(100),
  } as const;
}

/** The order lines, each with `lineProperties` (product and quantity required). */
export function orderLinesInput<P extends object>(limits: OrderInputLimits, lineProperties: P) {
  return {
    type: 'array',
    minItems: 1,
    maxItems: limits.maxLines,
    items: {
      type: 'object',
      required: ['productId', 'quantity'],
      additionalProperties: false,
      properties: lineProperties,
    },
  } as const;
}

/** One payment method: its type and provider token, and optionally the amount and currency it pays. */
export function paymentMethodInput(limits: OrderInputLimits) {
  return {
    type: 'object',
    required: ['type', 'token'],
    additionalProperties: false,
    properties: {
      type: { type: 'string', enum: [...PAYMENT_METHOD_TYPES] },
      token: {
        ...paymentTokenInput,
        description: 'Payment provider token (see the README for the simulator test tokens)',
      },
      amount: { ...amountInput, description: 'When sent, must equal the order total' },
      currency: currencyInput(limits),
    },
  } as const;
}

/** The order id a client may choose (seed 001), and the parts every order request shares. */
export function orderInputProperties(limits: OrderInputLimits) {
  return {
    orderId: { type: 'string', pattern: prefixedId('ord') },
    customerId: { type: 'string', pattern: prefixedId('cust') },
    customerEmail: { type: 'string', format: 'email', maxLength: 320 },
    currency: { ...currencyInput(limits), description: 'Order currency (or paymentMethod.currency)' },
    items: orderLinesInput(limits, orderLineProperties(limits)),
    paymentMethod: paymentMethodInput(limits),
    shippingAddress: addressInput,
    shippingMethod: { type: 'string', enum: [...SHIPPING_METHODS] },
    options: orderOptionsInput,
    metadata: labelsInput,
  } as const;
}
