/**
 * The deterministic test tokens and what an authorization with each does. Any other token is declined,
 * as a real provider declines a token it does not know.
 */
export const TEST_TOKENS = {
  tok_visa_4242: 'approved',
  tok_mastercard_4444: 'approved',
  tok_amex_0005: 'approved',
  tok_decline: 'declined (PAYMENT_DECLINED)',
  tok_insufficient_funds: 'declined (INSUFFICIENT_FUNDS)',
  tok_expired_card: 'declined (CARD_EXPIRED)',
  tok_transient_once:
    'the first call with an idempotency key fails with 503; a repeat of the key is approved',
  tok_unavailable: 'every call fails with 503',
  tok_timeout: 'the call is held without an answer (until the caller gives up, then 504)',
} as const;

export type TokenBehaviour =
  | { kind: 'approve' }
  | { kind: 'decline'; reason: 'PAYMENT_DECLINED' | 'INSUFFICIENT_FUNDS' | 'CARD_EXPIRED'; message: string }
  | { kind: 'transient-once' }
  | { kind: 'unavailable' }
  | { kind: 'hold' };

export function behaviourOf(token: string): TokenBehaviour {
  switch (token) {
    case 'tok_visa_4242':
    case 'tok_mastercard_4444':
    case 'tok_amex_0005':
      return { kind: 'approve' };
    case 'tok_decline':
      return { kind: 'decline', reason: 'PAYMENT_DECLINED', message: 'the card was declined' };
    case 'tok_insufficient_funds':
      return { kind: 'decline', reason: 'INSUFFICIENT_FUNDS', message: 'the card has insufficient funds' };
    case 'tok_expired_card':
      return { kind: 'decline', reason: 'CARD_EXPIRED', message: 'the card has expired' };
    case 'tok_transient_once':
      return { kind: 'transient-once' };
    case 'tok_unavailable':
      return { kind: 'unavailable' };
    case 'tok_timeout':
      return { kind: 'hold' };
    default:
      return {
        kind: 'decline',
        reason: 'PAYMENT_DECLINED',
        message: 'the payment method token is not one the simulator knows',
      };
  }
}
