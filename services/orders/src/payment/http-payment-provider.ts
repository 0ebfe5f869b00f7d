import { PaymentRefusedError, ProviderTimeoutError, ProviderUnavailableError } from './payment-errors.js';
import type {
  AuthorizeRequest,
  CaptureRequest,
  PaymentOperation,
  PaymentProvider,
  ProviderResult,
  RefundRequest,
  VoidRequest,
} from './payment-provider.js';

const DECLINES = new Set(['PAYMENT_DECLINED', 'INSUFFICIENT_FUNDS', 'CARD_EXPIRED']);

interface ErrorBody {
  error?: { code?: string; message?: string; details?: { reason?: string; declineCode?: string } };
}

/**
 * The payment provider over HTTP (the `@fv/payment-provider` simulator, or a PSP with the same API):
 * every call is a POST with an `Idempotency-Key` header, so repeating a call whose answer was lost is
 * safe. A 4xx is the provider's refusal and final (a decline keeps its code; anything else, such as an
 * unknown or voided authorization, is INVALID_PAYMENT_REQUEST with the provider's reason); a 5xx, a 429
 * or no answer at all may pass on a later attempt.
 */
export class HttpPaymentProvider implements PaymentProvider {
  readonly name = 'payment-provider';
  private readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  authorize(request: AuthorizeRequest, signal: AbortSignal): Promise<ProviderResult> {
    return this.post(
      'authorize',
      '/v1/authorizations',
      request.idempotencyKey,
      {
        amount: request.amount,
        currency: request.currency,
        paymentMethod: { type: request.paymentMethodType, token: request.token },
        merchantReference: request.orderId,
      },
      signal,
    );
  }

  capture(request: CaptureRequest, signal: AbortSignal): Promise<ProviderResult> {
    return this.post(
      'capture',
      `${this.authorizationPath(request.reference)}/capture`,
      request.idempotencyKey,
      { amount: request.amount, currency: request.currency },
      signal,
    );
  }

  void(request: VoidRequest, signal: AbortSignal): Promise<ProviderResult> {
    return this.post(
      'void',
      `${this.authorizationPath(request.reference)}/void`,
      request.idempotencyKey,
      {},
      signal,
    );
  }

  refund(request: RefundRequest, signal: AbortSignal): Promise<ProviderResult> {
    return this.post(
      'refund',
      `${this.authorizationPath(request.reference)}/refunds`,
      request.idempotencyKey,
      { amount: request.amount, currency: request.currency },
      signal,
    );
  }

  private authorizationPath(reference: string): string {
    if (!reference) {
      throw new PaymentRefusedError(
        'INVALID_PAYMENT_REQUEST',
        'the payment has no authorization reference at the provider',
        'AUTHORIZATION_NOT_FOUND',
      );
    }
    return `/v1/authorizations/${encodeURIComponent(reference)}`;
  }

  private async post(
    operation: PaymentOperation,
    path: string,
    idempotencyKey: string,
    body: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<ProviderResult> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        body: JSON.stringify(body),
        signal,
      });
    } catch (error) {
      throw new ProviderUnavailableError(
        `the payment provider could not be reached for ${operation}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const text = await response.text().catch(() => '');
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (response.ok) {
      const id = (parsed as { id?: unknown } | null)?.id;
      if (typeof id !== 'string' || id.length === 0) {
        throw new ProviderUnavailableError(
          `the payment provider answered ${operation} with ${response.status} but no id`,
        );
      }
      return { reference: id };
    }
    const error = (parsed as ErrorBody | null)?.error;
    const reason = error?.details?.declineCode ?? error?.details?.reason ?? null;
    const message = `the payment provider answered ${operation} with ${response.status}: ${error?.message ?? (text.slice(0, 200) || response.statusText)}`;
    if (response.status === 504 || response.status === 408) throw new ProviderTimeoutError(message);
    if (response.status >= 500 || response.status === 429) throw new ProviderUnavailableError(message);
    if (reason && DECLINES.has(reason)) {
      throw new PaymentRefusedError(
        reason as 'PAYMENT_DECLINED' | 'INSUFFICIENT_FUNDS' | 'CARD_EXPIRED',
        message,
        reason,
      );
    }
    throw new PaymentRefusedError('INVALID_PAYMENT_REQUEST', message, reason);
  }
}
