import { AppError } from '@fv/service-kit';
import type { PaymentError } from '../payment/payment-errors.js';

/**
 * A payment call that did not go through, as an AppError: a refusal is final (422, and an event that
 * needs it goes to the dead-letter topic), an unavailable or slow provider is worth retrying (503).
 */
export function paymentFailure(operation: string, orderId: string, error: PaymentError): AppError {
  if (error.retriable) {
    return new AppError(
      'SERVICE_UNAVAILABLE',
      `The payment provider could not ${operation} the payment of order ${orderId}; try again later`,
      {
        details: { orderId, reason: error.code },
        retriable: true,
        cause: error,
      },
    );
  }
  return new AppError(
    'UNPROCESSABLE_ENTITY',
    `The payment provider refused to ${operation} the payment of order ${orderId}: ${error.message}`,
    {
      details: { orderId, reason: error.code },
      cause: error,
    },
  );
}
