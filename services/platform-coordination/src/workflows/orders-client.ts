import { AppError, serviceUnavailable, signToken, type ErrorCode } from '@fv/service-kit';

export interface PlaceOrderResult {
  orderId: string;
  customerId: string;
  totalAmount: string | null;
  currency: string | null;
}

/** The order service's answer to a rejected order, kept as it said it (field names, reasons, lines). */
const RELAYED: ReadonlySet<ErrorCode> = new Set(['INVALID_REQUEST', 'CONFLICT', 'UNPROCESSABLE_ENTITY']);

/**
 * Hands a new order to the order service (`POST {ORDERS_URL}/api/v1/orders`) with a service token.
 * The order service validates, prices and stores it and publishes OrderCreated; everything after that
 * reaches the coordination service as events. Its refusals (400, 409, 422) are passed on as they are;
 * no answer, or a 5xx, is 503 SERVICE_UNAVAILABLE and nothing is stored here.
 */
export class OrdersClient {
  constructor(
    private readonly options: { baseUrl: string; jwtSecret: string; timeoutMs: number; subject: string },
  ) {}

  async placeOrder(
    body: Record<string, unknown>,
    idempotencyKey: string,
    traceparent: string | null,
  ): Promise<PlaceOrderResult> {
    const token = signToken(this.options.jwtSecret, {
      sub: this.options.subject,
      roles: ['service'],
      expiresIn: 60,
    });
    const url = new URL('/api/v1/orders', this.options.baseUrl).toString();
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          'x-idempotency-key': idempotencyKey,
          ...(traceparent ? { traceparent } : {}),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw serviceUnavailable(
        'The order service could not be reached; nothing was started',
        { service: 'orders' },
        error,
      );
    }
    const payload = (await response.json().catch(() => null)) as
      | { orderId?: string; customerId?: string; totalAmount?: string; currency?: string }
      | { error?: { code?: string; message?: string; details?: Record<string, unknown> } }
      | null;
    if (response.status === 201 || response.status === 200) {
      const order = payload as {
        orderId?: string;
        customerId?: string;
        totalAmount?: string;
        currency?: string;
      };
      if (!order?.orderId)
        throw serviceUnavailable('The order service answered without an order id', { service: 'orders' });
      return {
        orderId: order.orderId,
        customerId: order.customerId ?? '',
        totalAmount: order.totalAmount ?? null,
        currency: order.currency ?? null,
      };
    }
    const error = (
      payload as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null
    )?.error;
    if (error?.code && RELAYED.has(error.code as ErrorCode)) {
      throw new AppError(
        error.code as ErrorCode,
        `The order service refused the order: ${error.message ?? ''}`.trim(),
        {
          details: { ...(error.details ?? {}), service: 'orders' },
        },
      );
    }
    throw serviceUnavailable(`The order service answered ${response.status}; nothing was started`, {
      service: 'orders',
      status: response.status,
      ...(error?.code ? { code: error.code } : {}),
    });
  }
}
