import { fromMinorUnits, toMinorUnits } from './money.js';

/**
 * Split payments: an order paid with several payment methods, each part with its own amount. The parts
 * as requested cover the order's total before any discount; a coupon's discount (known only later, in
 * the saga) is taken off the last part, then off the one before it when the last is used up, and so on
 * (`chargedParts`). Each part is authorized, captured, voided and refunded on its own at the provider,
 * under idempotency keys derived from the order or payment and the part's index.
 */

/** A part as the order stores it: its token is forgotten once the order is confirmed or ends. */
export interface RequestedPart {
  type: string;
  token?: string;
  /** Decimal text, before any discount. */
  amount: string;
}

/** A part as the payment records it, once authorized. */
export interface PaymentPartState {
  /** The part's position in the request; its idempotency keys derive from it. */
  index: number;
  type: string;
  /** Decimal text: what was authorized on this part (after any discount). */
  amount: string;
  providerReference: string;
  status: 'AUTHORIZED' | 'CAPTURED' | 'VOIDED';
  /** Decimal text. */
  refundedAmount: string;
}

/** The parts the order was placed with, or null for an order paid with one payment method. */
export function requestedPartsOf(value: unknown): RequestedPart[] | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  return value as RequestedPart[];
}

/** The parts a payment recorded, or null for a payment of one method. */
export function paymentPartsOf(value: unknown): PaymentPartState[] | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  return value as PaymentPartState[];
}

export interface ChargedPart {
  index: number;
  type: string;
  token: string;
  /** Minor units, above zero. */
  amount: bigint;
}

/**
 * What each part is charged when the order is charged `charged` (minor units): the requested amounts,
 * less the difference (the discount) taken from the last part backwards. A part reduced to nothing is
 * left out (it is never authorized); the others keep their request index.
 */
export function chargedParts(
  parts: readonly RequestedPart[],
  charged: bigint,
  currency: string,
): ChargedPart[] {
  const amounts = parts.map((part) => toMinorUnits(part.amount, currency));
  const requested = amounts.reduce((sum, amount) => sum + amount, 0n);
  if (charged > requested) {
    throw new RangeError(`the parts cover ${requested} minor units, less than the ${charged} charged`);
  }
  let discount = requested - charged;
  for (let index = amounts.length - 1; index >= 0 && discount > 0n; index -= 1) {
    const cut = discount < amounts[index]! ? discount : amounts[index]!;
    amounts[index] = amounts[index]! - cut;
    discount -= cut;
  }
  return parts
    .map((part, index) => ({ index, type: part.type, token: part.token ?? '', amount: amounts[index]! }))
    .filter((part) => part.amount > 0n);
}

/**
 * How a refund of `amount` minor units is spread over the parts: from the last part backwards, each
 * giving what it has left (captured less refunded). Parts that give nothing are left out.
 */
export function refundAcrossParts(
  parts: readonly PaymentPartState[],
  amount: bigint,
  currency: string,
): { index: number; amount: bigint }[] {
  const shares: { index: number; amount: bigint }[] = [];
  let rest = amount;
  for (let position = parts.length - 1; position >= 0 && rest > 0n; position -= 1) {
    const part = parts[position]!;
    const left = toMinorUnits(part.amount, currency) - toMinorUnits(part.refundedAmount, currency);
    if (left <= 0n) continue;
    const share = rest < left ? rest : left;
    shares.unshift({ index: part.index, amount: share });
    rest -= share;
  }
  if (rest > 0n)
    throw new RangeError(`the parts have ${amount - rest} minor units left to refund, not ${amount}`);
  return shares;
}

/** The parts with `shares` added to their refunded amounts. */
export function withRefunds(
  parts: readonly PaymentPartState[],
  shares: readonly { index: number; amount: bigint }[],
  currency: string,
): PaymentPartState[] {
  return parts.map((part) => {
    const share = shares.find((candidate) => candidate.index === part.index);
    if (!share) return part;
    const refunded = toMinorUnits(part.refundedAmount, currency) + share.amount;
    return { ...part, refundedAmount: fromMinorUnits(refunded, currency) };
  });
}

/** Idempotency key of a split payment's part authorization (`order-<id>-authorize-part-<i>`). */
export function partAuthorizeKey(orderId: string, index: number, attempt?: number): string {
  return attempt === undefined
    ? `order-${orderId}-authorize-part-${index}`
    : `order-${orderId}-authorize-attempt-${attempt}-part-${index}`;
}

/** Idempotency key of a part's void (`payment-<id>-part-<i>-void`). */
export function partVoidKey(paymentId: string, index: number): string {
  return `payment-${paymentId}-part-${index}-void`;
}

/** Idempotency key of a part's capture (`payment-<id>-part-<i>-capture`). */
export function partCaptureKey(paymentId: string, index: number): string {
  return `payment-${paymentId}-part-${index}-capture`;
}
