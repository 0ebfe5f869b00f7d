/**
 * Why a payment call did not succeed. `retriable` tells whether the same call may succeed later; the
 * codes are the ones PaymentFailed carries.
 */
export type PaymentErrorCode =
  | 'PAYMENT_DECLINED'
  | 'INSUFFICIENT_FUNDS'
  | 'CARD_EXPIRED'
  | 'INVALID_PAYMENT_REQUEST'
  | 'PROVIDER_TIMEOUT'
  | 'PROVIDER_UNAVAILABLE';

export class PaymentError extends Error {
  /** The provider's own reason, when it gave one (e.g. AUTHORIZATION_NOT_FOUND). */
  readonly providerReason: string | null;

  constructor(
    readonly code: PaymentErrorCode,
    message: string,
    readonly retriable: boolean,
    options?: { cause?: unknown; providerReason?: string | null },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.providerReason = options?.providerReason ?? null;
    this.name = 'PaymentError';
  }
}

/** The provider refused the operation for good: a decline, an expired card, a request it cannot honour. */
export class PaymentRefusedError extends PaymentError {
  constructor(
    code: 'PAYMENT_DECLINED' | 'INSUFFICIENT_FUNDS' | 'CARD_EXPIRED' | 'INVALID_PAYMENT_REQUEST',
    message: string,
    providerReason?: string | null,
  ) {
    super(code, message, false, { providerReason: providerReason ?? null });
    this.name = 'PaymentRefusedError';
  }
}

/** The provider could not be reached or failed on its side; the same call may succeed later. */
export class ProviderUnavailableError extends PaymentError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PROVIDER_UNAVAILABLE', message, true, options);
    this.name = 'ProviderUnavailableError';
  }
}

/** The provider did not answer in time. With idempotency keys, the call can be repeated safely. */
export class ProviderTimeoutError extends PaymentError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PROVIDER_TIMEOUT', message, true, options);
    this.name = 'ProviderTimeoutError';
  }
}

/** A failure that says something about the provider's health (and counts for the circuit breaker). */
export function isTransientPaymentFailure(error: unknown): boolean {
  return error instanceof PaymentError ? error.retriable : true;
}
