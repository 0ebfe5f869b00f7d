import { describe, expect, it } from 'vitest';
import { partAuthorizeKey, partCaptureKey, partVoidKey } from '../domain/split-payment.js';
import { captureKey } from './complete-order.js';
import { retryAuthorizeKey } from './retry-payment.js';
import { authorizeKey } from './take-payment.js';

describe('idempotency keys of payment calls', () => {
  it("derive an order's authorization and a payment's capture from their ids", () => {
    expect(authorizeKey('o-1')).toBe('order-o-1-authorize');
    expect(retryAuthorizeKey('o-1', 2)).toBe('order-o-1-authorize-attempt-2');
    expect(captureKey('p-1')).toBe('payment-p-1-capture');
  });

  it('give every call of one order and payment its own key, so the provider never takes one for another', () => {
    const keys = [
      authorizeKey('o-1'),
      retryAuthorizeKey('o-1', 1),
      retryAuthorizeKey('o-1', 2),
      partAuthorizeKey('o-1', 0),
      partAuthorizeKey('o-1', 0, 1),
      captureKey('p-1'),
      partCaptureKey('p-1', 0),
      partVoidKey('p-1', 0),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('give the same call the same key every time it is made again', () => {
    expect(authorizeKey('o-1')).toBe(authorizeKey('o-1'));
    expect(retryAuthorizeKey('o-1', 3)).toBe(retryAuthorizeKey('o-1', 3));
    expect(captureKey('p-1')).toBe(captureKey('p-1'));
  });
});
