import { NonRetriableError } from '@fv/messaging';
import { describe, expect, it } from 'vitest';
import type { OrderRow } from '../db/orders-store.js';
import { invalidOrderState } from './saga-order.js';

describe('a saga event that contradicts the order', () => {
  it('is not retried: it names the event, the order and why, under INVALID_ORDER_STATE', () => {
    const error = invalidOrderState(
      { id: 'o-1' } as OrderRow,
      'DeliveryScheduled',
      'the order was never confirmed',
    );
    expect(error).toBeInstanceOf(NonRetriableError);
    expect(error.retriable).toBe(false);
    expect(error.code).toBe('INVALID_ORDER_STATE');
    expect(error.message).toBe(
      'DeliveryScheduled cannot be applied to order o-1: the order was never confirmed',
    );
  });
});
