import { describe, expect, it } from 'vitest';
import {
  chargedParts,
  partAuthorizeKey,
  partCaptureKey,
  partVoidKey,
  paymentPartsOf,
  refundAcrossParts,
  requestedPartsOf,
  withRefunds,
  type PaymentPartState,
} from './split-payment.js';

const parts = [
  { type: 'CREDIT_CARD', token: 'tok_a', amount: '60.00' },
  { type: 'DEBIT_CARD', token: 'tok_b', amount: '40.00' },
];

function state(index: number, amount: string, refundedAmount = '0.00'): PaymentPartState {
  return {
    index,
    type: 'CREDIT_CARD',
    amount,
    providerReference: `auth_${index}`,
    status: 'CAPTURED',
    refundedAmount,
  };
}

describe('chargedParts', () => {
  it('charges the parts as requested when nothing is discounted', () => {
    expect(chargedParts(parts, 10000n, 'USD')).toEqual([
      { index: 0, type: 'CREDIT_CARD', token: 'tok_a', amount: 6000n },
      { index: 1, type: 'DEBIT_CARD', token: 'tok_b', amount: 4000n },
    ]);
  });

  it('takes a discount off the last part first', () => {
    expect(chargedParts(parts, 8500n, 'USD').map((part) => part.amount)).toEqual([6000n, 2500n]);
  });

  it('moves on to the part before once the last is used up, and leaves a part reduced to nothing out', () => {
    expect(chargedParts(parts, 4500n, 'USD')).toEqual([
      { index: 0, type: 'CREDIT_CARD', token: 'tok_a', amount: 4500n },
    ]);
    expect(chargedParts(parts, 0n, 'USD')).toEqual([]);
  });

  it('refuses to charge more than the parts cover', () => {
    expect(() => chargedParts(parts, 10001n, 'USD')).toThrow(RangeError);
  });

  it('works in the minor units of the currency', () => {
    const yen = [
      { type: 'CREDIT_CARD', token: 'tok_a', amount: '700' },
      { type: 'CREDIT_CARD', token: 'tok_b', amount: '300' },
    ];
    expect(chargedParts(yen, 900n, 'JPY').map((part) => part.amount)).toEqual([700n, 200n]);
  });
});

describe('refundAcrossParts', () => {
  it('refunds from the last part backwards, each part at most what it has left', () => {
    expect(refundAcrossParts([state(0, '60.00'), state(1, '40.00')], 3000n, 'USD')).toEqual([
      { index: 1, amount: 3000n },
    ]);
    expect(refundAcrossParts([state(0, '60.00'), state(1, '40.00', '30.00')], 7000n, 'USD')).toEqual([
      { index: 0, amount: 6000n },
      { index: 1, amount: 1000n },
    ]);
  });

  it('skips parts refunded in full and refuses more than is left', () => {
    const refunded = [state(0, '60.00'), state(1, '40.00', '40.00')];
    expect(refundAcrossParts(refunded, 100n, 'USD')).toEqual([{ index: 0, amount: 100n }]);
    expect(() => refundAcrossParts(refunded, 6001n, 'USD')).toThrow(RangeError);
  });

  it('adds the shares to the parts refunded amounts', () => {
    const updated = withRefunds(
      [state(0, '60.00'), state(1, '40.00', '30.00')],
      [
        { index: 0, amount: 6000n },
        { index: 1, amount: 1000n },
      ],
      'USD',
    );
    expect(updated.map((part) => part.refundedAmount)).toEqual(['60.00', '40.00']);
  });
});

describe('split payments as stored', () => {
  it('reads an order as split only when it stored at least one part', () => {
    expect(requestedPartsOf(parts)).toBe(parts);
    expect(requestedPartsOf([])).toBeNull();
    expect(requestedPartsOf(null)).toBeNull();
    expect(requestedPartsOf({ type: 'CREDIT_CARD', amount: '1.00' })).toBeNull();
  });

  it('reads a payment as split only when it recorded at least one part', () => {
    const recorded = [state(0, '60.00'), state(1, '40.00')];
    expect(paymentPartsOf(recorded)).toBe(recorded);
    expect(paymentPartsOf([])).toBeNull();
    expect(paymentPartsOf(undefined)).toBeNull();
  });
});

describe('idempotency keys of parts', () => {
  it("derives a part's authorization key from the order and the part's index, and from the retry when there is one", () => {
    expect(partAuthorizeKey('o-1', 0)).toBe('order-o-1-authorize-part-0');
    expect(partAuthorizeKey('o-1', 1, 2)).toBe('order-o-1-authorize-attempt-2-part-1');
    expect(partAuthorizeKey('o-1', 1, 0)).not.toBe(partAuthorizeKey('o-1', 1));
  });

  it("derives a part's void and capture keys from the payment and the part's index", () => {
    expect(partVoidKey('p-1', 1)).toBe('payment-p-1-part-1-void');
    expect(partCaptureKey('p-1', 1)).toBe('payment-p-1-part-1-capture');
    expect(partCaptureKey('p-1', 0)).not.toBe(partCaptureKey('p-1', 1));
  });
});
