import { randomUUID } from 'node:crypto';
import { fromMinorUnits, toMinorUnits } from '../domain/money.js';
import {
  chargedParts,
  partAuthorizeKey,
  partCaptureKey,
  partVoidKey,
  requestedPartsOf,
  type ChargedPart,
  type PaymentPartState,
} from '../domain/split-payment.js';
import { markApplied } from '../db/payment-attempts-store.js';
import type { Db, OrderRow, PaymentRow } from '../db/orders-store.js';
import { chargedAmountOf } from './order-view.js';
import type { OrdersDeps } from './orders-deps.js';
import { authorizeOnceRecorded, callOnce, isWaiting, type SettledCall } from './payment-attempt.js';
import { paymentFailure } from './payment-failure.js';

/** Whether the order is paid with several payment methods. */
export function isSplitOrder(order: OrderRow): boolean {
  return requestedPartsOf(order.paymentParts) !== null;
}

/** Marks the attempts a split payment's calls made (besides the settled one) applied. */
export async function markRelatedApplied(tx: Db, settled: SettledCall | null): Promise<void> {
  for (const id of settled?.split?.related ?? []) await markApplied(tx, id);
}

/**
 * Authorizes every part of a split payment, one after the other, each under its own idempotency key
 * (`order-<id>-authorize-part-<i>`, or `order-<id>-authorize-attempt-<n>-part-<i>` for an operator's
 * retry) and each recorded before and after the call (`callOnce`), so running this again (a redelivered
 * event, the recovery sweeper) finds the answers recorded and never charges a part twice. Every part
 * shares the payment id of the first part's intent.
 *
 * Answers, as one `SettledCall`:
 * - a part met an unavailable provider: that part's call, waiting (`isWaiting`); the parts before it
 *   stay authorized and are found again on the retry;
 * - a part was declined: that part's refusal, after the parts already authorized were voided (each
 *   under `payment-<id>-part-<i>-void`); a void the provider cannot make now fails the handler
 *   (retried), a void it refuses for good is left to the provider's own expiry and logged;
 * - every part authorized: a success whose reference is the first part's, with `split.parts`.
 */
export async function authorizeSplitOnce(
  deps: OrdersDeps,
  order: OrderRow,
  context: { eventId: string; reservationId: string },
  retryAttempt?: number,
): Promise<SettledCall> {
  const charged = partsToCharge(order);
  let paymentId = order.payment?.id ?? randomUUID();
  const authorized: { settled: SettledCall; state: PaymentPartState }[] = [];
  const related: string[] = [];
  let calls = 0;
  for (const part of charged) {
    const idempotencyKey = partAuthorizeKey(order.id, part.index, retryAttempt);
    const amount = fromMinorUnits(part.amount, order.currency);
    const settled = await authorizeOnceRecorded(
      deps,
      {
        orderId: order.id,
        paymentId,
        idempotencyKey,
        amount,
        currency: order.currency,
        context: {
          ...context,
          part: part.index,
          ...(retryAttempt === undefined ? {} : { attempt: retryAttempt }),
        },
      },
      { token: part.token, paymentMethodType: part.type },
    );
    // The first part's intent, recorded before, names the payment every part belongs to.
    paymentId = settled.attempt.paymentId;
    calls += settled.outcome.attempts;
    if (isWaiting(settled)) return settled;
    if (!settled.outcome.ok) {
      const states = authorized.map((entry) => entry.state);
      const voids = await voidParts(deps, order.id, paymentId, order.currency, states);
      return declinedPart(settled, settled.outcome, part, { states, related: [...related, ...voids] });
    }
    authorized.push({
      settled,
      state: {
        index: part.index,
        type: part.type,
        amount,
        providerReference: settled.outcome.reference,
        status: 'AUTHORIZED',
        refundedAmount: fromMinorUnits(0n, order.currency),
      },
    });
    related.push(settled.attempt.id);
  }
  const [first] = authorized;
  const last = authorized[authorized.length - 1]!;
  return {
    attempt: last.settled.attempt,
    outcome: { ok: true, reference: first!.state.providerReference, attempts: calls },
    split: { parts: authorized.map((entry) => entry.state), related: related.slice(0, -1) },
  };
}

/**
 * The parts of a split payment to authorize, each for its share of the charged amount (the discount
 * taken off the last parts). A discount of the whole total leaves no part to charge: the first part is
 * then authorized for nothing, as an order paid with one method would be.
 */
function partsToCharge(order: OrderRow): ChargedPart[] {
  const requested = requestedPartsOf(order.paymentParts)!;
  const discounted = chargedParts(
    requested,
    toMinorUnits(chargedAmountOf(order), order.currency),
    order.currency,
  );
  return discounted.length
    ? discounted
    : [{ index: 0, type: requested[0]!.type, token: requested[0]!.token ?? '', amount: 0n }];
}

/**
 * A declined part's refusal as the split payment's answer: its message names the part, and the parts
 * authorized before it are reported VOIDED with the attempts of their authorizations and voids.
 */
function declinedPart(
  settled: SettledCall,
  outcome: Extract<SettledCall['outcome'], { ok: false }>,
  part: { index: number; type: string },
  before: { states: PaymentPartState[]; related: string[] },
): SettledCall {
  return {
    attempt: settled.attempt,
    outcome: {
      ...outcome,
      error: Object.assign(outcome.error, {
        message: `payment part ${part.index} (${part.type}): ${outcome.error.message}`,
      }),
    },
    split: {
      parts: before.states.map((state) => ({ ...state, status: 'VOIDED' as const })),
      related: before.related,
    },
  };
}

/**
 * Voids the parts given, each under `payment-<paymentId>-part-<i>-void`, and answers the attempts made.
 * A provider that cannot answer now throws (retriable); a refusal for good (an authorization the
 * provider no longer holds) is skipped: there is nothing left to release.
 */
async function voidParts(
  deps: OrdersDeps,
  orderId: string,
  paymentId: string,
  currency: string,
  parts: readonly PaymentPartState[],
): Promise<string[]> {
  const attempts: string[] = [];
  for (const part of parts) {
    const idempotencyKey = partVoidKey(paymentId, part.index);
    const settled = await callOnce(
      deps,
      {
        orderId,
        paymentId,
        operation: 'VOID',
        idempotencyKey,
        amount: null,
        currency,
        context: { reason: 'SPLIT_PART_DECLINED', part: part.index },
      },
      () => deps.gateway.void({ idempotencyKey, reference: part.providerReference }),
    );
    if (!settled.outcome.ok && settled.outcome.error.retriable) {
      throw paymentFailure('void', orderId, settled.outcome.error);
    }
    if (!settled.outcome.ok) {
      deps.logger.warn(
        { orderId, part: part.index, providerReason: settled.outcome.error.providerReason },
        'the provider refused to void a part of a declined split payment',
      );
    }
    attempts.push(settled.attempt.id);
  }
  return attempts;
}

/**
 * Captures every authorized part of a split payment (`payment-<id>-part-<i>-capture`), one after the
 * other, each recorded before and after its call. Answers the first part that waits for the provider or
 * is refused (with the parts captured so far in `split.parts`), or a success for all of them.
 */
export async function captureSplitOnce(
  deps: OrdersDeps,
  order: OrderRow,
  payment: PaymentRow,
  parts: readonly PaymentPartState[],
  shipment: Record<string, unknown>,
): Promise<SettledCall> {
  const states = parts.map((part) => ({ ...part }));
  const related: string[] = [];
  let calls = 0;
  let last: SettledCall | null = null;
  for (const state of states) {
    if (state.status !== 'AUTHORIZED') continue;
    const idempotencyKey = partCaptureKey(payment.id, state.index);
    const settled = await callOnce(
      deps,
      {
        orderId: order.id,
        paymentId: payment.id,
        operation: 'CAPTURE',
        idempotencyKey,
        amount: state.amount,
        currency: payment.currency,
        context: { ...shipment, part: state.index },
      },
      () =>
        deps.gateway.capture({
          idempotencyKey,
          reference: state.providerReference,
          amount: state.amount,
          currency: payment.currency,
        }),
    );
    calls += settled.outcome.attempts;
    if (!settled.outcome.ok) {
      return {
        ...settled,
        split: { parts: states, related: last ? [...related, last.attempt.id] : related },
      };
    }
    state.status = 'CAPTURED';
    if (last) related.push(last.attempt.id);
    last = settled;
  }
  if (!last) throw new Error(`the split payment ${payment.id} has no authorized part to capture`);
  return {
    attempt: last.attempt,
    outcome: { ok: true, reference: states[0]!.providerReference, attempts: calls },
    split: { parts: states, related },
  };
}
