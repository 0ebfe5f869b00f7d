/**
 * What the order service needs from a payment provider. An adapter wraps one provider's API; every
 * call carries an idempotency key, and a provider given the same key twice performs the operation once
 * and answers the second call with the first result.
 */
export interface PaymentProvider {
  /** Adapter name reported in payment events, e.g. "simulator". */
  readonly name: string;
  /** Holds `amount` on the customer's payment method. */
  authorize(request: AuthorizeRequest, signal: AbortSignal): Promise<ProviderResult>;
  /** Takes the money held by an authorization. */
  capture(request: CaptureRequest, signal: AbortSignal): Promise<ProviderResult>;
  /** Releases an authorization that was not captured. */
  void(request: VoidRequest, signal: AbortSignal): Promise<ProviderResult>;
  /** Returns `amount` of a captured payment. */
  refund(request: RefundRequest, signal: AbortSignal): Promise<ProviderResult>;
}

export interface AuthorizeRequest {
  idempotencyKey: string;
  orderId: string;
  /** Decimal string in `currency`. */
  amount: string;
  currency: string;
  /** Provider token of the customer's payment method. */
  token: string;
  paymentMethodType: string;
}

export interface CaptureRequest {
  idempotencyKey: string;
  /** Provider reference of the authorization. */
  reference: string;
  amount: string;
  currency: string;
}

export interface VoidRequest {
  idempotencyKey: string;
  reference: string;
}

export interface RefundRequest {
  idempotencyKey: string;
  /** Provider reference of the authorization that was captured. */
  reference: string;
  amount: string;
  currency: string;
}

export interface ProviderResult {
  /** The provider's id for what it did (authorization, capture, void, refund). */
  reference: string;
}

export type PaymentOperation = 'authorize' | 'capture' | 'void' | 'refund';
