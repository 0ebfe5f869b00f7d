import type { Logger } from '@fv/service-kit';
import { decide, type OrderStatus } from '../domain/order-status.js';
import { findOrder, lockOrder, type OrderRow } from '../db/orders-store.js';
import {
  claimAttempt,
  dueAttempts,
  markApplied,
  postponeAttempt,
  type AttemptRow,
} from '../db/payment-attempts-store.js';
import { applyCapture, captureOnce, type ShipmentFacts } from './complete-order.js';
import type { OrdersDeps } from './orders-deps.js';
import { callOnce, isWaiting, nextRetryAt, patienceSpent, waitedMs } from './payment-attempt.js';
import { applyAuthorization, authorizeOnce } from './take-payment.js';
import { partVoidKey } from '../domain/split-payment.js';
import { authorizeSplitOnce, isSplitOrder } from './split-payment.js';

export type RecoveryResult = 'applied' | 'pending' | 'moot' | 'released';

/** Whether the order still wants the attempt's answer (an authorization for a pending order, a capture for a shipped one). */
function wantedBy(order: OrderRow | null, attempt: AttemptRow): order is OrderRow {
  if (!order) return false;
  const input = attempt.operation === 'AUTHORIZE' ? 'PAYMENT_AUTHORIZED' : 'DELIVERY_SCHEDULED';
  if (decide(order.status as OrderStatus, input).kind !== 'move') return false;
  return attempt.operation === 'AUTHORIZE'
    ? order.paymentToken !== null
    : order.payment?.id === attempt.paymentId && order.payment.status === 'AUTHORIZED';
}

/**
 * Finishes one saga payment call that its handler did not see through: the provider was unavailable
 * (the call waits for a retry), or the process died between the intent and the applied answer. The same
 * idempotency key is sent again unless the answer is recorded, and the answer is applied to the order if
 * the order still waits for it, with the events the handler would have published. An order that no
 * longer wants the call (cancelled or failed meanwhile) is never authorized: the call is not sent again,
 * and an authorization the provider already granted for it is voided.
 */
export async function recoverAttempt(
  deps: OrdersDeps,
  attempt: AttemptRow,
  log: Logger,
): Promise<RecoveryResult> {
  const context = attempt.context as Record<string, string | undefined>;
  const origin = {
    eventId: context.eventId ?? null,
    causationId: context.eventId ?? null,
    traceparent: null,
  };
  const snapshot = await findOrder(deps.prisma, attempt.orderId);
  const status = snapshot?.status ?? null;
  if (!wantedBy(snapshot, attempt)) return settleUnwanted(deps, attempt, status, log);

  const settled =
    attempt.operation === 'AUTHORIZE'
      ? isSplitOrder(snapshot)
        ? await authorizeSplitOnce(
            deps,
            snapshot,
            { eventId: context.eventId ?? '', reservationId: context.reservationId ?? '' },
            (attempt.context as { attempt?: number }).attempt,
          )
        : await authorizeOnce(deps, snapshot, {
            eventId: context.eventId ?? '',
            reservationId: context.reservationId ?? '',
          })
      : await captureOnce(deps, snapshot, snapshot.payment!, attempt.context as unknown as ShipmentFacts);
  if (isWaiting(settled)) {
    const waiting = {
      orderId: attempt.orderId,
      operation: attempt.operation,
      code: settled.outcome.ok ? null : settled.outcome.error.code,
      calls: settled.attempt.calls,
      waitedMs: waitedMs(deps, settled.attempt),
      retryAt: settled.attempt.nextAttemptAt,
    };
    if (attempt.operation === 'CAPTURE' && patienceSpent(deps, settled.attempt)) {
      log.error(waiting, 'payment provider still unavailable: a capture of shipped goods keeps waiting');
    } else {
      log.info(waiting, 'payment provider still unavailable: the call waits for another retry');
    }
    return 'pending';
  }
  const applied = await deps.transaction(async (tx) => {
    const order = await lockOrder(tx, attempt.orderId);
    if (!wantedBy(order, attempt)) return false;
    if (attempt.operation === 'AUTHORIZE') {
      await applyAuthorization(deps, tx, order, settled, context.reservationId ?? '', origin);
    } else {
      await applyCapture(deps, tx, order, settled, origin, log);
    }
    log.info(
      { orderId: order.id, operation: attempt.operation, ok: settled.outcome.ok },
      'unsettled payment call recovered',
    );
    return true;
  });
  if (applied) return 'applied';
  const latest = await findOrder(deps.prisma, attempt.orderId);
  return settleUnwanted(deps, settled.attempt, latest?.status ?? null, log);
}

/**
 * The order no longer wants the call's answer. A granted authorization nobody will capture is voided
 * (the customer's funds are not held for a cancelled order); anything else is only marked settled.
 */
async function settleUnwanted(
  deps: OrdersDeps,
  attempt: AttemptRow,
  status: string | null,
  log: Logger,
): Promise<RecoveryResult> {
  if (attempt.operation !== 'AUTHORIZE' || attempt.status !== 'SUCCEEDED' || !attempt.providerReference) {
    await deps.transaction((tx) => markApplied(tx, attempt.id));
    log.info(
      { orderId: attempt.orderId, operation: attempt.operation, status },
      'unsettled payment call no longer wanted by its order',
    );
    return 'moot';
  }
  const reference = attempt.providerReference;
  // A part of a split payment is voided under its part's key, the one a declined split voids it with.
  const part = (attempt.context as { part?: number } | null)?.part;
  const idempotencyKey =
    part === undefined ? `payment-${attempt.paymentId}-void` : partVoidKey(attempt.paymentId, part);
  const released = await callOnce(
    deps,
    {
      orderId: attempt.orderId,
      paymentId: attempt.paymentId,
      operation: 'VOID',
      idempotencyKey,
      amount: null,
      currency: attempt.currency,
      context: { reason: 'ORDER_NO_LONGER_WAITING', authorizeAttemptId: attempt.id },
    },
    () => deps.gateway.void({ idempotencyKey, reference }),
  );
  if (isWaiting(released)) {
    // The void waits with the authorization: the next sweep tries it again.
    await postponeAttempt(deps.prisma, attempt.id, nextRetryAt(deps, attempt.retries));
    log.warn(
      { orderId: attempt.orderId, status, providerReference: reference },
      'an authorization granted for an order that no longer wants it could not be voided yet',
    );
    return 'pending';
  }
  await deps.transaction(async (tx) => {
    await markApplied(tx, released.attempt.id);
    await markApplied(tx, attempt.id);
  });
  log.warn(
    {
      orderId: attempt.orderId,
      status,
      providerReference: reference,
      voided: released.outcome.ok,
      providerReason: released.outcome.ok ? null : released.outcome.error.providerReason,
    },
    'an authorization granted for an order that no longer wants it was voided',
  );
  return 'released';
}

/**
 * One round of the recovery sweeper: every saga payment call due (a retry after a provider outage, or
 * a call its handler never settled), each claimed first so two instances never work on the same one.
 * Returns the calls applied to their orders.
 */
export async function recoverPayments(deps: OrdersDeps, log: Logger, limit = 50): Promise<number> {
  const attempts = await dueAttempts(deps.prisma, new Date(deps.now()), limit);
  let recovered = 0;
  for (const attempt of attempts) {
    const claimed = await claimAttempt(
      deps.prisma,
      attempt,
      new Date(deps.now() + deps.config.PAYMENT_RECOVERY_AFTER_MS),
    );
    if (!claimed) continue;
    try {
      if ((await recoverAttempt(deps, attempt, log)) === 'applied') recovered += 1;
    } catch (error) {
      log.warn(
        { err: error, orderId: attempt.orderId, operation: attempt.operation },
        'payment recovery failed; trying again later',
      );
      await postponeAttempt(deps.prisma, attempt.id, nextRetryAt(deps, attempt.retries)).catch(
        () => undefined,
      );
    }
  }
  return recovered;
}
