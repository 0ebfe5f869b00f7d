import { describe, expect, it } from 'vitest';
import { resendKey } from './resend-confirmation.js';

describe('a resent order confirmation', () => {
  it('is one message per retry attempt: the same attempt gives the same key, another attempt another', () => {
    expect(resendKey('o-1', 2)).toBe('order-confirmed:o-1:attempt-2');
    expect(resendKey('o-1', 2)).toBe(resendKey('o-1', 2));
    expect(resendKey('o-1', 3)).not.toBe(resendKey('o-1', 2));
    expect(resendKey('o-2', 2)).not.toBe(resendKey('o-1', 2));
  });
});
