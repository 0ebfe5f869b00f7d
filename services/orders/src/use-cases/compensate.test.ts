import { describe, expect, it } from 'vitest';
import { cancellationReasonFor, OWN_ACTIONS } from './compensate.js';

describe('compensations of the orders service', () => {
  it('are the payment reversals and the cancellation of the order', () => {
    expect([...OWN_ACTIONS].sort()).toEqual(['CANCEL_ORDER', 'REFUND_PAYMENT', 'VOID_PAYMENT']);
  });

  it('name the cancellation after the step that failed, whichever of its names the coordinator uses', () => {
    expect(cancellationReasonFor('PAYMENT_FAILED')).toBe('PAYMENT_FAILED');
    for (const reason of ['INVENTORY_UNAVAILABLE', 'INVENTORY_RESERVATION_FAILED', 'INSUFFICIENT_STOCK'])
      expect(cancellationReasonFor(reason)).toBe('INVENTORY_UNAVAILABLE');
    for (const reason of ['DELIVERY_FAILED', 'DELIVERY_SCHEDULING_FAILED'])
      expect(cancellationReasonFor(reason)).toBe('DELIVERY_FAILED');
    for (const reason of ['STEP_TIMEOUT', 'TIMEOUT']) expect(cancellationReasonFor(reason)).toBe('TIMEOUT');
  });

  it("keep a customer's cancellation a customer's request", () => {
    expect(cancellationReasonFor('CUSTOMER_CANCELLED')).toBe('CUSTOMER_REQUESTED');
    expect(cancellationReasonFor('CUSTOMER_REQUESTED')).toBe('CUSTOMER_REQUESTED');
  });

  it('take any other reason as a manual intervention', () => {
    expect(cancellationReasonFor('ADMIN_REQUESTED')).toBe('MANUAL_INTERVENTION');
    expect(cancellationReasonFor('NOTIFICATION_FAILED')).toBe('MANUAL_INTERVENTION');
    expect(cancellationReasonFor('')).toBe('MANUAL_INTERVENTION');
  });
});
