import { AppError, invalidFields, type Principal, type SchemaType } from '@fv/service-kit';
import type { IdempotentResult } from '@fv/service-runtime';
import { decide, type OrderStatus } from '../domain/order-status.js';
import { decimalText, fromMinorUnits, MoneyFormatError, toMinorUnits } from '../domain/money.js';
import { findOrder, lockOrder } from '../db/orders-store.js';
import type { refundOrderBody } from '../routes/order-schemas.js';
import { assertVisible } from './get-order.js';
import { idempotentRequest } from './idempotent-request.js';
import { toOrderView, type OrderView } from './order-view.js';
import type { OrdersDeps } from './orders-deps.js';
import { refundableMinor, refundPayment, type RefundReason } from './payment-actions.js';

/** The amount to refund (the whole refundable rest when omitted) and why. */
export type RefundOrderInput = SchemaType<typeof refundOrderBody>;

/**
 * Refunds a completed (captured) order in full or in part: PaymentRefunded and OrderRefunded are
 * published, and the order becomes PARTIALLY_REFUNDED or REFUNDED.
 */
export async function refundOrder(
  deps: OrdersDeps,
  caller: Principal,
  orderId: string,
  input: RefundOrderInput,
  request: { idempotencyKey: string | undefined; traceparent: string },
): Promise<IdempotentResult<OrderView>> {
  return idempotentRequest(
    deps,
    { callerId: caller.sub, operation: `refund-order:${orderId}`, key: request.idempotencyKey, body: input },
    async (tx) => {
      const order = assertVisible(caller, orderId, await lockOrder(tx, orderId));
      const payment = order.payment;
      const decision = decide(order.status as OrderStatus, 'PARTIAL_REFUND');
      if (decision.kind !== 'move' || !payment) {
        throw new AppError(
          'CONFLICT',
          `Order ${orderId} cannot be refunded: ${decision.kind === 'move' ? 'it has no payment' : decision.reason}`,
          {
            details: { orderId, status: order.status, reason: 'INVALID_ORDER_STATE' },
          },
        );
      }
      const refundable = refundableMinor(payment);
      let amount = refundable;
      if (input.amount !== undefined) {
        try {
          amount = toMinorUnits(decimalText(input.amount), order.currency);
        } catch (error) {
          if (!(error instanceof MoneyFormatError)) throw error;
          throw invalidFields([{ field: 'body.amount', rule: error.rule, message: error.message }]);
        }
        if (amount <= 0n)
          throw invalidFields([
            { field: 'body.amount', rule: 'exclusiveMinimum', message: 'must be greater than 0' },
          ]);
        if (amount > refundable) {
          throw new AppError(
            'UNPROCESSABLE_ENTITY',
            `Refund of ${fromMinorUnits(amount, order.currency)} exceeds the refundable ${fromMinorUnits(refundable, order.currency)}`,
            {
              details: {
                field: 'body.amount',
                reason: 'REFUND_EXCEEDS_PAYMENT',
                refundable: fromMinorUnits(refundable, order.currency),
                given: fromMinorUnits(amount, order.currency),
              },
            },
          );
        }
      }
      const reason: RefundReason = input.reason ?? 'CUSTOMER_REQUESTED';
      await refundPayment(deps, tx, order, payment, amount, reason, { traceparent: request.traceparent });
      return { statusCode: 200, body: toOrderView((await findOrder(tx, orderId))!) };
    },
  );
}
