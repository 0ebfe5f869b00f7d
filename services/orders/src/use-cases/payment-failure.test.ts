import { describe, expect, it } from 'vitest';
import { PaymentError, PaymentRefusedError } from '../payment/payment-errors.js';
import { paymentFailure } from './payment-failure.js';

describe('a payment call that did not go through', () => {
  it('is worth retrying (503) when the provider was unavailable or slow', () => {
    const cause = new PaymentError('PROVIDER_TIMEOUT', 'timed out', true);
    const error = paymentFailure('capture', 'o-1', cause);
    expect(error).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      status: 503,
      retriable: true,
      details: { orderId: 'o-1', reason: 'PROVIDER_TIMEOUT' },
      message: 'The payment provider could not capture the payment of order o-1; try again later',
    });
    expect(error.cause).toBe(cause);
  });

  it("is final (422) when the provider refused, and says the provider's reason", () => {
    const cause = new PaymentRefusedError('INSUFFICIENT_FUNDS', 'not enough funds');
    const error = paymentFailure('refund', 'o-2', cause);
    expect(error).toMatchObject({
      code: 'UNPROCESSABLE_ENTITY',
      status: 422,
      retriable: false,
      details: { orderId: 'o-2', reason: 'INSUFFICIENT_FUNDS' },
      message: 'The payment provider refused to refund the payment of order o-2: not enough funds',
    });
    expect(error.cause).toBe(cause);
  });
});
