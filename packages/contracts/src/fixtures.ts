import type { EventPayload } from './generated/events.js';

type ShippingAddress = EventPayload<'OrderCreated'>['shippingAddress'];

/** The shipping address of the examples (a carrier-served US address, without a phone number). */
export const EXAMPLE_SHIPPING_ADDRESS: Readonly<ShippingAddress> = {
  name: 'John Doe',
  street: '123 Main St',
  city: 'New York',
  state: 'NY',
  zipCode: '10001',
  country: 'US',
  phone: null,
};

/**
 * An OrderCreated payload like the seed's example: two units of one product at 599.99 USD, paid by
 * card and shipped STANDARD to {@link EXAMPLE_SHIPPING_ADDRESS}; `overrides` replace whole fields.
 */
export function exampleOrderCreated(
  overrides: Partial<EventPayload<'OrderCreated'>> = {},
): EventPayload<'OrderCreated'> {
  return {
    orderId: 'ord-550e8400-e29b-41d4-a716-446655440000',
    customerId: 'cust-123e4567-e89b-12d3-a456-426614174000',
    customerEmail: 'john.doe@example.com',
    items: [{ productId: 'p-1', sku: null, quantity: 2, unitPrice: '599.99', warehouseId: 'wh-001' }],
    totalAmount: '1199.98',
    currency: 'USD',
    paymentMethod: 'CREDIT_CARD',
    shippingAddress: { ...EXAMPLE_SHIPPING_ADDRESS },
    shippingMethod: 'STANDARD',
    options: null,
    metadata: {},
    ...overrides,
  };
}
