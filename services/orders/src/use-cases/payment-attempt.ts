import { randomUUID } from 'node:crypto';
import { backoffDelay } from '@fv/resilience';
import {
  recordAnswer,
  recordIntent,
  type AttemptOperation,
  type AttemptRow,
} from '../db/payment-attempts-store.js';
import { PaymentError, type PaymentErrorCode } from '../payment/payment-errors.js';
import type { PaymentOutcome } from '../payment/payment-gateway.js';
import type { OrdersDeps } from './orders-deps.js';
import type { PaymentPartState } from '../domain/split-payment.js';

export interface PaymentIntent {
  orderId: string;
  /** The payment the call is for; for an authorization, the id its payment will get. */
  paymentId: string;
  operation: AttemptOperation;
  idempotencyKey: string;
  amount: string | null;
  currency: string;
  /** What applying the answer needs later, e.g. after a crash (the causing event, shipment details). */
  context?: Record<string, unknown>;
}

export interface SettledCall {
  attempt: AttemptRow;
  outcome: PaymentOutcome;
  /**
   * A split payment's calls: the parts as they stand after the calls, and the other attempts (each
   * part's, the voids of a declined split) to mark applied with `attempt`.
   */
  split?: { parts: PaymentPartState[]; related: string[] };
}

/** The answer recorded on an attempt, as the gateway gave it. */
export function outcomeOf(attempt: AttemptRow): PaymentOutcome | null {
  if (attempt.status === 'SUCCEEDED')
    return { ok: true, reference: attempt.providerReference ?? '', attempts: attempt.calls };
  if (attempt.status === 'FAILED') {
    return {
      ok: false,
      attempts: attempt.calls,
      error: new PaymentError(
        (attempt.failureCode ?? 'INVALID_PAYMENT_REQUEST') as PaymentErrorCode,
        attempt.failureMessage ?? 'the payment provider refused the request',
        attempt.failureRetriable ?? false,
        { providerReason: attempt.providerReason },
      ),
    };
  }
  return null;
}

/**
 * The delay before the sweeper's next retry of a call that met an unavailable provider: doubling from
 * PAYMENT_RECOVERY_INTERVAL_MS up to PAYMENT_RECOVERY_BACKOFF_MAX_MS, with half of it jittered so calls
 * that failed together do not come back together (`backoffDelay`'s equal jitter).
 */
export function retryDelayMs(
  retries: number,
  policy: { firstMs: number; maxMs: number },
  random: () => number = Math.random,
): number {
  return backoffDelay(retries, { initialMs: policy.firstMs, maxMs: policy.maxMs, jitter: 'equal' }, random);
}

/** When the sweeper retries an attempt that has been retried `retries` times. */
export function nextRetryAt(deps: Pick<OrdersDeps, 'config' | 'now'>, retries: number): Date {
  const delay = retryDelayMs(retries, {
    firstMs: deps.config.PAYMENT_RECOVERY_INTERVAL_MS,
    maxMs: deps.config.PAYMENT_RECOVERY_BACKOFF_MAX_MS,
  });
  return new Date(deps.now() + delay);
}

/** How long the call has waited for the provider, from its intent. */
export function waitedMs(deps: Pick<OrdersDeps, 'now'>, attempt: AttemptRow): number {
  return deps.now() - attempt.createdAt.getTime();
}

/** Whether the provider's patience window (PAYMENT_PROVIDER_PATIENCE_MS) has run out for the call. */
export function patienceSpent(deps: Pick<OrdersDeps, 'config' | 'now'>, attempt: AttemptRow): boolean {
  return waitedMs(deps, attempt) >= deps.config.PAYMENT_PROVIDER_PATIENCE_MS;
}

/** The call met an unavailable provider and waits for the sweeper's retry (no final answer yet). */
export function isWaiting(settled: SettledCall): boolean {
  return !settled.outcome.ok && settled.attempt.status === 'PENDING';
}

/**
 * One provider call made crash-safe: the intent (with its idempotency key) is committed before the
 * call and the answer right after it, each on its own, never inside the transaction that applies the
 * answer. Whoever comes back to the same intent (a redelivered event, the recovery sweeper, a repeated
 * request) finds the final answer recorded, or sends the same key again, so the provider performs the
 * operation once.
 *
 * A transient failure (outage, 5xx, 429, timeout, open circuit) is not an answer: the attempt stays
 * PENDING and is due for the recovery sweeper after a backoff (`isWaiting`). Only an authorization
 * whose patience window (PAYMENT_PROVIDER_PATIENCE_MS, from its intent) has run out turns a transient
 * failure into a final one, which the saga reports as PaymentFailed. A capture never gives up.
 */
export async function callOnce(
  deps: OrdersDeps,
  intent: PaymentIntent,
  call: () => Promise<PaymentOutcome>,
): Promise<SettledCall> {
  let attempt = await recordIntent(deps.sql, {
    id: randomUUID(),
    orderId: intent.orderId,
    paymentId: intent.paymentId,
    operation: intent.operation,
    idempotencyKey: intent.idempotencyKey,
    amount: intent.amount,
    currency: intent.currency,
    context: intent.context ?? {},
    nextAttemptAt: new Date(deps.now() + deps.config.PAYMENT_RECOVERY_AFTER_MS),
  });
  deps.retryDueBy(attempt.nextAttemptAt);
  const recorded = outcomeOf(attempt);
  if (recorded) return { attempt, outcome: recorded };

  const outcome = await call();
  // A final answer is applied at once by whoever called; the sweeper steps in only if that never happens.
  const handOver = new Date(deps.now() + deps.config.PAYMENT_RECOVERY_AFTER_MS);
  if (outcome.ok) {
    attempt = await recordAnswer(deps.sql, attempt.id, {
      status: 'SUCCEEDED',
      calls: outcome.attempts,
      providerReference: outcome.reference,
      failureCode: null,
      failureMessage: null,
      failureRetriable: null,
      nextAttemptAt: handOver,
      retried: false,
    });
  } else {
    const final =
      !outcome.error.retriable || (intent.operation === 'AUTHORIZE' && patienceSpent(deps, attempt));
    attempt = await recordAnswer(deps.sql, attempt.id, {
      status: final ? 'FAILED' : 'PENDING',
      calls: outcome.attempts,
      failureCode: outcome.error.code,
      failureMessage: outcome.error.message,
      failureRetriable: outcome.error.retriable,
      providerReason: outcome.error.providerReason,
      nextAttemptAt: final ? handOver : nextRetryAt(deps, attempt.retries),
      retried: !final,
    });
  }
  deps.retryDueBy(attempt.nextAttemptAt);
  return { attempt, outcome: { ...outcome, attempts: Math.max(attempt.calls, outcome.attempts) } };
}

/**
 * Authorizes `amount` on a payment method through `callOnce` (recorded before and after the provider's
 * call, so that it is made once under its idempotency key whatever runs it again): the one way every
 * authorization — an order's, a retried step's, each part of a split payment — reaches the gateway.
 */
export function authorizeOnceRecorded(
  deps: OrdersDeps,
  intent: Omit<PaymentIntent, 'operation' | 'amount'> & { amount: string },
  method: { token: string; paymentMethodType: string },
): Promise<SettledCall> {
  return callOnce(deps, { ...intent, operation: 'AUTHORIZE' }, () =>
    deps.gateway.authorize({
      idempotencyKey: intent.idempotencyKey,
      orderId: intent.orderId,
      amount: intent.amount,
      currency: intent.currency,
      ...method,
    }),
  );
}
