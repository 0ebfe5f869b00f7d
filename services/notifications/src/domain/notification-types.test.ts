import { setupSample } from '@fv/testing';
import { describe, expect, it } from 'vitest';
import { NOTIFICATION_TYPES, humanize, variablesOf } from './notification-types.js';

const envelope = { eventId: 'e', occurredAt: 0, correlationId: 'o', causationId: null, producer: 't' };

describe('notification variables', () => {
  it('takes the variables of a shipment from its event, leaving out what the event lacks', () => {
    const vars = variablesOf.ShipmentDelivered({
      ...envelope,
      orderId: 'o-1',
      shipmentId: 's',
      trackingId: 'SIM1',
      carrier: 'SIMULATED',
      deliveredAt: Date.parse('2026-02-03T10:00:00Z'),
      signedBy: null,
    });
    expect(vars).toEqual({
      orderId: 'o-1',
      trackingId: 'SIM1',
      carrier: 'SIMULATED',
      deliveredAt: '2026-02-03',
    });
  });

  it('declares for every type only variables its event can provide', () => {
    for (const type of Object.values(NOTIFICATION_TYPES)) expect(type.variables).toContain('orderId');
    expect(humanize('PAYMENT_FAILED')).toBe('payment failed');
  });

  it("counts an order's items by quantity and names the customer from its shipping address", () => {
    const { event } = setupSample('OrderConfirmed', (e) => {
      e.orderId = 'o-2';
      e.totalAmount = '59.97';
      e.currency = 'USD';
      e.shippingMethod = 'STANDARD';
      e.shippingAddress.name = 'Grace Hopper';
      e.items = [
        { ...e.items[0]!, sku: 'A', quantity: 2 },
        { ...e.items[0]!, sku: 'B', quantity: 1 },
      ];
    });
    expect(variablesOf.OrderConfirmed(event)).toEqual({
      orderId: 'o-2',
      customerName: 'Grace Hopper',
      totalAmount: '59.97',
      currency: 'USD',
      itemCount: '3',
      shippingMethod: 'STANDARD',
    });
  });

  it('gives the estimated delivery of a scheduled delivery as a date, and leaves it out when unknown', () => {
    const scheduled = setupSample('DeliveryScheduled', (e) => {
      e.orderId = 'o-3';
      e.trackingId = 'SIM3';
      e.carrier = 'SIMULATED';
      e.labelNumber = 'L-3';
      e.serviceLevel = 'EXPRESS';
      e.shippingAddress.name = 'Ada';
      e.estimatedDeliveryAt = Date.parse('2026-03-01T23:59:59Z');
    }).event;
    expect(variablesOf.DeliveryScheduled(scheduled)).toEqual({
      orderId: 'o-3',
      customerName: 'Ada',
      trackingId: 'SIM3',
      carrier: 'SIMULATED',
      labelNumber: 'L-3',
      serviceLevel: 'EXPRESS',
      estimatedDelivery: '2026-03-01',
    });
    expect(variablesOf.DeliveryScheduled({ ...scheduled, estimatedDeliveryAt: null })).not.toHaveProperty(
      'estimatedDelivery',
    );

    const dispatched = setupSample('ShipmentDispatched', (e) => {
      e.orderId = 'o-3';
      e.trackingId = 'SIM3';
      e.carrier = 'SIMULATED';
      e.estimatedDeliveryAt = Date.parse('2026-03-02T00:00:00Z');
    }).event;
    expect(variablesOf.ShipmentDispatched(dispatched)).toEqual({
      orderId: 'o-3',
      trackingId: 'SIM3',
      carrier: 'SIMULATED',
      estimatedDelivery: '2026-03-02',
    });
    expect(variablesOf.ShipmentDispatched({ ...dispatched, estimatedDeliveryAt: null })).toEqual({
      orderId: 'o-3',
      trackingId: 'SIM3',
      carrier: 'SIMULATED',
    });
  });

  it('puts the reason of a cancelled or failed order in words, with its details when there are any', () => {
    const cancelled = setupSample('OrderCancelled', (e) => {
      e.orderId = 'o-4';
      e.reason = 'CUSTOMER_REQUEST';
      e.reasonDetails = 'changed my mind';
    }).event;
    expect(variablesOf.OrderCancelled(cancelled)).toEqual({
      orderId: 'o-4',
      reason: 'customer request',
      reasonDetails: 'changed my mind',
    });
    expect(variablesOf.OrderCancelled({ ...cancelled, reasonDetails: null })).toEqual({
      orderId: 'o-4',
      reason: 'customer request',
    });

    const failed = setupSample('OrderFailed', (e) => {
      e.orderId = 'o-5';
      e.reason = 'INSUFFICIENT_STOCK';
      e.reasonDetails = null;
    }).event;
    expect(variablesOf.OrderFailed(failed)).toEqual({ orderId: 'o-5', reason: 'insufficient stock' });

    const compensation = setupSample('CompensationRequested', (e) => {
      e.orderId = 'o-6';
      e.reason = 'PAYMENT_DECLINED';
    }).event;
    expect(variablesOf.CompensationRequested(compensation)).toEqual({
      orderId: 'o-6',
      reason: 'payment declined',
    });
  });

  it("tells a failed payment's amount and the provider's message", () => {
    const { event } = setupSample('PaymentFailed', (e) => {
      e.orderId = 'o-7';
      e.amount = '12.50';
      e.currency = 'EUR';
      e.errorMessage = 'card declined';
    });
    expect(variablesOf.PaymentFailed(event)).toEqual({
      orderId: 'o-7',
      amount: '12.50',
      currency: 'EUR',
      errorMessage: 'card declined',
    });
  });

  it('says yes or no to a full refund, and names the return only for the refund of a return', () => {
    const refund = setupSample('OrderRefunded', (e) => {
      e.orderId = 'o-8';
      e.amount = '20.00';
      e.currency = 'USD';
      e.fullRefund = true;
      e.returnId = null;
    }).event;
    expect(variablesOf.OrderRefunded(refund)).toEqual({
      orderId: 'o-8',
      amount: '20.00',
      currency: 'USD',
      fullRefund: 'yes',
    });
    expect(variablesOf.OrderRefunded({ ...refund, fullRefund: false, returnId: 'r-1' })).toEqual({
      orderId: 'o-8',
      amount: '20.00',
      currency: 'USD',
      fullRefund: 'no',
      returnId: 'r-1',
    });
  });

  it('declares, for every type, each variable its event provides', () => {
    const provided: Record<string, string[]> = {
      OrderConfirmed: Object.keys(variablesOf.OrderConfirmed(setupSample('OrderConfirmed').event)),
      DeliveryScheduled: Object.keys(variablesOf.DeliveryScheduled(setupSample('DeliveryScheduled').event)),
      ShipmentDispatched: Object.keys(
        variablesOf.ShipmentDispatched(setupSample('ShipmentDispatched').event),
      ),
      ShipmentDelivered: Object.keys(variablesOf.ShipmentDelivered(setupSample('ShipmentDelivered').event)),
      OrderCancelled: Object.keys(variablesOf.OrderCancelled(setupSample('OrderCancelled').event)),
      OrderFailed: Object.keys(variablesOf.OrderFailed(setupSample('OrderFailed').event)),
      PaymentFailed: Object.keys(variablesOf.PaymentFailed(setupSample('PaymentFailed').event)),
      CompensationRequested: Object.keys(
        variablesOf.CompensationRequested(setupSample('CompensationRequested').event),
      ),
    };
    const refund = setupSample('OrderRefunded').event;
    for (const [type, { event, variables }] of Object.entries(NOTIFICATION_TYPES)) {
      const keys =
        type === 'order-refunded'
          ? Object.keys(variablesOf.OrderRefunded({ ...refund, returnId: null }))
          : type === 'return-refunded'
            ? Object.keys(variablesOf.OrderRefunded({ ...refund, returnId: 'r-1' }))
            : provided[event]!;
      expect(variables, type).toEqual(expect.arrayContaining(keys));
    }
  });
});
