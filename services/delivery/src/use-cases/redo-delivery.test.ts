import { validateEvent } from '@fv/contracts';
import { NonRetriableError } from '@fv/messaging';
import { SHIPPING_ADDRESS, setupSample } from '@fv/testing';
import { describe, expect, it } from 'vitest';
import { confirmedOrderOf } from './redo-delivery.js';

const address = { ...SHIPPING_ADDRESS };

function retryOf(parameters: Record<string, string>) {
  return setupSample('StepRetryRequested', (event) => {
    event.orderId = 'o-1';
    event.stepName = 'SHIPPING_LABEL_CREATION';
    event.parameters = parameters;
  }).event;
}

const complete = {
  customerId: 'c-1',
  customerEmail: 'ada@example.com',
  items: JSON.stringify([
    { productId: 'lamp', quantity: 2, warehouseId: 'w-1' },
    { productId: 'shade', quantity: 1 },
  ]),
  shippingAddress: JSON.stringify(address),
  shippingMethod: 'EXPRESS',
  totalAmount: '1349.97',
  currency: 'EUR',
  reservationId: 'r-1',
  paymentId: 'p-1',
};

function refusal(parameters: Record<string, string>): string {
  try {
    confirmedOrderOf(retryOf(parameters));
  } catch (error) {
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as NonRetriableError).code).toBe('INVALID_EVENT');
    return (error as Error).message;
  }
  throw new Error('expected the retry to be refused');
}

describe('the confirmed order a delivery retry carries', () => {
  it("reads the order's lines, address, method and customer from the retry's parameters", () => {
    const event = retryOf(complete);
    const order = confirmedOrderOf(event);
    expect(order).toMatchObject({
      eventId: event.eventId,
      correlationId: event.correlationId,
      orderId: 'o-1',
      customerId: 'c-1',
      customerEmail: 'ada@example.com',
      shippingMethod: 'EXPRESS',
      totalAmount: '1349.97',
      currency: 'EUR',
      reservationId: 'r-1',
      paymentId: 'p-1',
      shippingAddress: address,
    });
    expect(order.items).toEqual([
      { productId: 'lamp', sku: null, quantity: 2, unitPrice: '0.00', warehouseId: 'w-1' },
      { productId: 'shade', sku: null, quantity: 1, unitPrice: '0.00', warehouseId: null },
    ]);
    expect(validateEvent('OrderConfirmed', order)).toEqual([]);
  });

  it('falls back to standard shipping in dollars, and leaves out what the retry does not say', () => {
    const order = confirmedOrderOf(
      retryOf({
        customerId: 'c-1',
        items: complete.items,
        shippingAddress: JSON.stringify({ street: '1 Rue', city: 'Paris', country: 'FR' }),
      }),
    );
    expect(order).toMatchObject({
      customerEmail: null,
      shippingMethod: 'STANDARD',
      totalAmount: '0',
      currency: 'USD',
      reservationId: '',
      paymentId: '',
      shippingAddress: {
        name: null,
        street: '1 Rue',
        city: 'Paris',
        state: null,
        zipCode: '',
        country: 'FR',
        phone: null,
      },
    });
    expect(validateEvent('OrderConfirmed', order)).toEqual([]);
  });

  it('refuses for good a retry without lines', () => {
    expect(refusal({ ...complete, items: '[]' })).toBe(
      'StepRetryRequested for order o-1 cannot be applied: parameters.items has no lines',
    );
    expect(refusal({ ...complete, items: 'not json' })).toContain('parameters.items has no lines');
    const { items: _items, ...withoutItems } = complete;
    expect(refusal(withoutItems)).toContain('parameters.items has no lines');
  });

  it('refuses for good an address without a street, a city or a country', () => {
    for (const missing of ['street', 'city', 'country']) {
      const partial = Object.fromEntries(Object.entries(address).filter(([key]) => key !== missing));
      expect(refusal({ ...complete, shippingAddress: JSON.stringify(partial) })).toContain(
        'parameters.shippingAddress needs street, city and country',
      );
    }
    expect(refusal({ ...complete, shippingAddress: '"123 Main St"' })).toContain(
      'parameters.shippingAddress needs street, city and country',
    );
  });

  it('refuses for good a retry that does not name the customer', () => {
    const { customerId: _customerId, ...anonymous } = complete;
    expect(refusal(anonymous)).toContain('parameters.customerId is missing');
  });
});
