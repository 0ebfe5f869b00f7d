import { describe, expect, it } from 'vitest';
import {
  decide,
  failureReasonOf,
  isFinal,
  isOrderStatus,
  ORDER_STATUSES,
  reversalFor,
  type OrderInput,
  type OrderStatus,
} from './order-status.js';

const outcome = (status: OrderStatus, input: OrderInput) => {
  const decision = decide(status, input);
  return decision.kind === 'move' ? decision.to : decision.kind;
};

describe('order state machine', () => {
  it('follows the happy path of the saga', () => {
    expect(outcome('PENDING', 'PAYMENT_AUTHORIZED')).toBe('CONFIRMED');
    expect(outcome('CONFIRMED', 'DELIVERY_SCHEDULED')).toBe('COMPLETED');
    expect(outcome('COMPLETED', 'PARTIAL_REFUND')).toBe('PARTIALLY_REFUNDED');
    expect(outcome('PARTIALLY_REFUNDED', 'FULL_REFUND')).toBe('REFUNDED');
  });

  it('records each failure of the saga', () => {
    expect(outcome('PENDING', 'INVENTORY_RESERVATION_FAILED')).toBe('INVENTORY_FAILED');
    expect(outcome('PENDING', 'PAYMENT_FAILED')).toBe('PAYMENT_FAILED');
    expect(outcome('CONFIRMED', 'DELIVERY_SCHEDULING_FAILED')).toBe('DELIVERY_FAILED');
    expect(outcome('DELIVERY_FAILED', 'DELIVERY_SCHEDULED')).toBe('COMPLETED');
  });

  it('takes payment only for a pending order', () => {
    for (const status of ORDER_STATUSES.filter((s) => s !== 'PENDING')) {
      expect(outcome(status, 'PAYMENT_AUTHORIZED')).toBe('ignore');
    }
  });

  it('lets any order that has not shipped be cancelled, once', () => {
    for (const status of [
      'PENDING',
      'CONFIRMED',
      'INVENTORY_FAILED',
      'PAYMENT_FAILED',
      'DELIVERY_FAILED',
    ] as const) {
      expect(outcome(status, 'CANCEL')).toBe('CANCELLED');
    }
    expect(outcome('CANCELLED', 'CANCEL')).toBe('ignore');
    for (const status of ['COMPLETED', 'PARTIALLY_REFUNDED', 'REFUNDED'] as const) {
      expect(outcome(status, 'CANCEL')).toBe('reject');
    }
  });

  it('ignores saga events that arrive after a cancellation or a second time', () => {
    expect(outcome('CANCELLED', 'INVENTORY_RESERVATION_FAILED')).toBe('ignore');
    expect(outcome('CANCELLED', 'DELIVERY_SCHEDULED')).toBe('ignore');
    expect(outcome('CANCELLED', 'DELIVERY_SCHEDULING_FAILED')).toBe('ignore');
    expect(outcome('COMPLETED', 'DELIVERY_SCHEDULED')).toBe('ignore');
    expect(outcome('INVENTORY_FAILED', 'INVENTORY_RESERVATION_FAILED')).toBe('ignore');
  });

  it('rejects events that contradict the order history', () => {
    expect(outcome('PENDING', 'DELIVERY_SCHEDULED')).toBe('reject');
    expect(outcome('PAYMENT_FAILED', 'DELIVERY_SCHEDULED')).toBe('reject');
    expect(outcome('CONFIRMED', 'INVENTORY_RESERVATION_FAILED')).toBe('reject');
    expect(outcome('PENDING', 'DELIVERY_SCHEDULING_FAILED')).toBe('reject');
  });

  it('refunds only captured orders', () => {
    for (const status of ['PENDING', 'CONFIRMED', 'CANCELLED', 'PAYMENT_FAILED', 'REFUNDED'] as const) {
      expect(outcome(status, 'PARTIAL_REFUND')).toBe('reject');
    }
  });

  it('gives money back by voiding an authorization and refunding a capture', () => {
    expect(reversalFor('AUTHORIZED')).toBe('VOID');
    expect(reversalFor('CAPTURED')).toBe('REFUND');
    expect(reversalFor('PARTIALLY_REFUNDED')).toBe('REFUND');
    for (const status of ['FAILED', 'VOIDED', 'REFUNDED', null] as const)
      expect(reversalFor(status)).toBe('NONE');
  });
});

describe('a capture refused for good', () => {
  it('fails the payment of a confirmed order, and is ignored once the order has moved on', () => {
    expect(decide('CONFIRMED', 'CAPTURE_FAILED')).toEqual({ kind: 'move', to: 'PAYMENT_FAILED' });
    expect(decide('DELIVERY_FAILED', 'CAPTURE_FAILED')).toEqual({ kind: 'move', to: 'PAYMENT_FAILED' });
    expect(decide('CANCELLED', 'CAPTURE_FAILED').kind).toBe('ignore');
    expect(decide('PAYMENT_FAILED', 'CAPTURE_FAILED').kind).toBe('ignore');
    expect(decide('COMPLETED', 'CAPTURE_FAILED').kind).toBe('reject');
  });
});

describe('a failed saga', () => {
  it('ends an order that has not shipped FAILED, once; a shipped order cannot fail', () => {
    for (const status of [
      'PENDING',
      'CONFIRMED',
      'INVENTORY_FAILED',
      'PAYMENT_FAILED',
      'DELIVERY_FAILED',
    ] as const) {
      expect(outcome(status, 'FAIL')).toBe('FAILED');
    }
    expect(outcome('FAILED', 'FAIL')).toBe('ignore');
    expect(outcome('CANCELLED', 'FAIL')).toBe('ignore');
    for (const status of ['COMPLETED', 'PARTIALLY_REFUNDED', 'REFUNDED'] as const) {
      expect(outcome(status, 'FAIL')).toBe('reject');
    }
  });

  it('is final: later saga events and cancellations change nothing, and it has nothing to refund', () => {
    for (const input of [
      'INVENTORY_RESERVATION_FAILED',
      'PAYMENT_AUTHORIZED',
      'DELIVERY_SCHEDULED',
      'CAPTURE_FAILED',
      'DELIVERY_SCHEDULING_FAILED',
      'CANCEL',
    ] as const) {
      expect(outcome('FAILED', input)).toBe('ignore');
    }
    expect(outcome('FAILED', 'FULL_REFUND')).toBe('reject');
  });

  it('tells a failure from a cancellation by the reason the saga is compensated for', () => {
    expect(failureReasonOf('PAYMENT_FAILED', 'PAYMENT_FAILED')).toBe('PAYMENT_FAILED');
    expect(failureReasonOf('INVENTORY_UNAVAILABLE', 'INVENTORY_FAILED')).toBe('INVENTORY_ERROR');
    expect(failureReasonOf('DELIVERY_FAILED', 'DELIVERY_FAILED')).toBe('DELIVERY_FAILED');
    expect(failureReasonOf('STEP_TIMEOUT', 'PENDING')).toBe('TIMEOUT');
    expect(failureReasonOf('ORDER_CONFIRMATION_FAILED', 'PAYMENT_FAILED')).toBe('PAYMENT_FAILED');
    expect(failureReasonOf('NOTIFICATION_FAILED', 'CONFIRMED')).toBe('SAGA_FAILED');
    for (const reason of [
      'CUSTOMER_REQUESTED',
      'CUSTOMER_CANCELLED',
      'MANUAL_INTERVENTION',
      'ADMIN_REQUESTED',
    ]) {
      expect(failureReasonOf(reason, 'PAYMENT_FAILED')).toBeNull();
    }
  });

  it('knows its statuses by their exact names', () => {
    expect(ORDER_STATUSES.every(isOrderStatus)).toBe(true);
    expect(isOrderStatus('SHIPPED')).toBe(false);
    expect(isOrderStatus('pending')).toBe(false);
  });

  it('is final once cancelled, failed or refunded in full, and not before', () => {
    expect(ORDER_STATUSES.filter(isFinal)).toEqual(['CANCELLED', 'FAILED', 'REFUNDED']);
  });
});
