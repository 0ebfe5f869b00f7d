import type { EventMap } from '@fv/contracts';
import { NonRetriableError } from '@fv/messaging';
import { AppError, parseId, type Logger } from '@fv/service-kit';
import { reversalFor, type PaymentStatus } from '../domain/order-status.js';
import { fromMinorUnits, sumMinor, toMinorUnits } from '../domain/money.js';
import { lockOrder, type Db, type OrderRow } from '../db/orders-store.js';
import {
  insertReturnRefund,
  lockReturnRefund,
  updateReturnRefund,
  type ReturnRefundRow,
} from '../db/return-refunds-store.js';
import { PaymentError } from '../payment/payment-errors.js';
import { publishMeta, type EventOrigin, type OrdersDeps } from './orders-deps.js';
import { minorOf, refundableMinor, refundPayment } from './payment-actions.js';
import { retryDelayMs } from './payment-attempt.js';
import { lockKnownOrder } from './saga-order.js';

type ReturnedItem = EventMap['ReturnReceived']['items'][number];

/** What the returned lines cost on the order (unit price × quantity, never more than was ordered), in minor units. */
export function returnedMinor(order: OrderRow, items: readonly ReturnedItem[]): bigint {
  const left = new Map<string, { quantity: number; unit: bigint }[]>();
  for (const line of order.items) {
    const lines = left.get(line.productId) ?? [];
    lines.push({ quantity: line.quantity, unit: minorOf(line.unitPrice, order.currency) });
    left.set(line.productId, lines);
  }
  const amounts: bigint[] = [];
  for (const item of items) {
    let wanted = Math.max(item.quantity, 0);
    for (const line of left.get(item.productId) ?? []) {
      const taken = Math.min(wanted, line.quantity);
      line.quantity -= taken;
      wanted -= taken;
      amounts.push(line.unit * BigInt(taken));
    }
  }
  return sumMinor(amounts);
}

/** What a captured payment can still give back for the return, in minor units (0 when nothing). */
function refundableFor(order: OrderRow, wanted: bigint): bigint {
  const payment = order.payment;
  if (!payment || reversalFor(payment.status as PaymentStatus) !== 'REFUND') return 0n;
  const refundable = refundableMinor(payment);
  return wanted < refundable ? wanted : refundable;
}

/**
 * ReturnReceived: the returned lines are refunded (their price × quantity from the order; the whole
 * payment when everything came back), once per return whatever redeliveries happen. The refund is
 * attempted at once; a failure is retried later (attemptReturnRefund).
 */
export async function receiveReturn(
  deps: OrdersDeps,
  tx: Db,
  event: EventMap['ReturnReceived'],
  origin: EventOrigin,
  log: Logger,
): Promise<void> {
  const returnId = parseId(event.returnId, 'ret');
  if (returnId === null)
    throw new NonRetriableError(`"${event.returnId}" is not a return id`, 'INVALID_RETURN_ID');
  const order = await lockKnownOrder(tx, event.orderId);
  const due = refundableFor(order, returnedMinor(order, event.items));
  const recorded = await insertReturnRefund(tx, {
    returnId,
    orderId: order.id,
    amount: fromMinorUnits(due, order.currency),
    currency: order.currency,
    items: event.items,
    status: due > 0n ? 'PENDING' : 'NOTHING_TO_REFUND',
  });
  if (!recorded) {
    log.info({ orderId: order.id, returnId }, 'return already recorded; not refunded again');
    return;
  }
  if (due === 0n) {
    log.warn({ orderId: order.id, returnId }, 'return received with nothing left to refund');
    return;
  }
  await attemptReturnRefund(deps, tx, returnId, origin, log);
}

async function recordRefundFailure(
  deps: OrdersDeps,
  tx: Db,
  row: ReturnRefundRow,
  order: OrderRow,
  error: PaymentError,
  origin: EventOrigin,
): Promise<void> {
  const attempt = row.attempts + 1;
  const retriable = attempt < deps.config.RETURN_REFUND_MAX_ATTEMPTS;
  const delay = retryDelayMs(attempt - 1, {
    firstMs: deps.config.PAYMENT_RECOVERY_INTERVAL_MS,
    maxMs: deps.config.PAYMENT_RECOVERY_BACKOFF_MAX_MS,
  });
  await updateReturnRefund(tx, row.returnId, {
    status: retriable ? 'PENDING' : 'FAILED',
    attempts: attempt,
    // A refusal moved no money: the next attempt is a new request. A timeout may have: same key.
    keySequence: error.retriable ? row.keySequence : row.keySequence + 1,
    nextAttemptAt: retriable ? new Date(deps.now() + delay) : null,
    error: { code: error.code, message: error.message },
  });
  if (retriable) deps.retryDueBy(new Date(deps.now() + delay));
  await deps.outbox.publish(
    tx,
    'PaymentRefundFailed',
    {
      orderId: order.id,
      returnId: row.returnId,
      paymentId: order.payment!.id,
      amount: row.amount,
      currency: row.currency,
      errorCode: error.providerReason ?? error.code,
      errorMessage: error.message,
      attempt,
      retriable,
    },
    publishMeta(order.id, origin),
  );
}

/**
 * One attempt at refunding a pending return: PaymentRefunded and OrderRefunded (with the returnId,
 * reason RETURN_RECEIVED) on success; on a refusal or an unavailable provider, PaymentRefundFailed —
 * retriable while attempts are left (the sweeper tries again after a backoff), then retriable=false and
 * the refund is FAILED until an operator retries the step. Anything else fails the transaction.
 */
export async function attemptReturnRefund(
  deps: OrdersDeps,
  tx: Db,
  returnId: string,
  origin: EventOrigin,
  log: Logger,
): Promise<ReturnRefundRow['status'] | null> {
  const row = await lockReturnRefund(tx, returnId);
  if (!row || row.status !== 'PENDING') return row?.status ?? null;
  const order = (await lockOrder(tx, row.orderId))!;
  const due = refundableFor(order, toMinorUnits(row.amount, row.currency));
  const settled = { attempts: row.attempts, keySequence: row.keySequence, nextAttemptAt: null };
  if (due === 0n) {
    await updateReturnRefund(tx, returnId, { ...settled, status: 'NOTHING_TO_REFUND' });
    return 'NOTHING_TO_REFUND';
  }
  try {
    const { refundId } = await refundPayment(
      deps,
      tx,
      order,
      order.payment!,
      due,
      'RETURN_RECEIVED',
      origin,
      {
        returnId,
        idempotencyKey: `return-${returnId}-refund-${row.keySequence}`,
      },
    );
    await updateReturnRefund(tx, returnId, { ...settled, status: 'REFUNDED', refundId, error: null });
    return 'REFUNDED';
  } catch (error) {
    const cause = error instanceof AppError ? error.cause : undefined;
    if (!(cause instanceof PaymentError)) throw error;
    log.warn({ orderId: order.id, returnId, err: cause }, 'refund of a return failed');
    await recordRefundFailure(deps, tx, row, order, cause, origin);
    return 'FAILED';
  }
}

/**
 * StepRetryRequested REFUND_PROCESSING (parameters.returnId): an operator asks to refund the return
 * again. A refunded return changes nothing; a failed or waiting one is attempted now, with its
 * attempts counted afresh.
 */
export async function retryReturnRefund(
  deps: OrdersDeps,
  tx: Db,
  event: EventMap['StepRetryRequested'],
  origin: EventOrigin,
  log: Logger,
): Promise<ReturnRefundRow['status'] | null> {
  const returnId = parseId(event.parameters.returnId ?? '', 'ret');
  const row = returnId ? await lockReturnRefund(tx, returnId) : null;
  if (!row) {
    log.warn(
      { orderId: event.orderId, returnId: event.parameters.returnId },
      'refund retry for a return this service never received',
    );
    return null;
  }
  if (row.status !== 'PENDING' && row.status !== 'FAILED') return row.status;
  await updateReturnRefund(tx, row.returnId, {
    status: 'PENDING',
    attempts: 0,
    keySequence: row.keySequence,
    nextAttemptAt: new Date(deps.now()),
    error: null,
  });
  return attemptReturnRefund(deps, tx, row.returnId, origin, log);
}
