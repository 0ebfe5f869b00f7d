import { AppError, isStaff, type Principal, type SchemaType } from '@fv/service-kit';
import type { IdempotentResult } from '@fv/service-runtime';
import { decide, type OrderStatus } from '../domain/order-status.js';
import { findOrder, lockOrder } from '../db/orders-store.js';
import type { cancelOrderBody } from '../routes/order-schemas.js';
import { assertVisible } from './get-order.js';
import { idempotentRequest } from './idempotent-request.js';
import { toOrderView, type OrderView } from './order-view.js';
import type { OrdersDeps } from './orders-deps.js';
import { markCancelled, reversePayment } from './payment-actions.js';

/** Staff may say why; a customer's cancellation is always CUSTOMER_REQUESTED. */
export type CancelOrderInput = SchemaType<typeof cancelOrderBody>;

/**
 * Cancels an order that has not shipped: an authorized payment is voided (PaymentVoided) and the order
 * becomes CANCELLED (OrderCancelled, which releases the stock). Cancelling a cancelled order answers
 * with the order as it is; a shipped order can only be refunded (409).
 */
export async function cancelOrder(
  deps: OrdersDeps,
  caller: Principal,
  orderId: string,
  input: CancelOrderInput,
  request: { idempotencyKey: string | undefined; traceparent: string },
): Promise<IdempotentResult<OrderView>> {
  return idempotentRequest(
    deps,
    { callerId: caller.sub, operation: `cancel-order:${orderId}`, key: request.idempotencyKey, body: input },
    async (tx) => {
      const order = assertVisible(caller, orderId, await lockOrder(tx, orderId));
      const decision = decide(order.status as OrderStatus, 'CANCEL');
      if (decision.kind === 'reject') {
        throw new AppError('CONFLICT', `Order ${orderId} cannot be cancelled: ${decision.reason}`, {
          details: { orderId, status: order.status, reason: 'INVALID_ORDER_STATE' },
        });
      }
      if (decision.kind === 'move') {
        const origin = { traceparent: request.traceparent };
        await reversePayment(deps, tx, order, 'ORDER_CANCELLED', origin, deps.logger);
        await markCancelled(
          deps,
          tx,
          order,
          {
            reason: isStaff(caller) ? (input.reason ?? 'MANUAL_INTERVENTION') : 'CUSTOMER_REQUESTED',
            reasonDetails: input.reasonDetails ?? null,
            initiatedBy: caller.roles.includes('admin') ? 'ADMIN' : isStaff(caller) ? 'SYSTEM' : 'CUSTOMER',
          },
          origin,
        );
      }
      return { statusCode: 200, body: toOrderView((await findOrder(tx, orderId))!) };
    },
  );
}
