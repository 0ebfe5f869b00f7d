import {
  AppError,
  serviceUnavailable,
  signServiceToken,
  type ErrorCode,
  type ServiceCredentials,
} from '@fv/service-kit';

/** The order as the order service shows it, as far as starting a workflow needs it. */
export interface KnownOrder {
  orderId: string;
  customerId: string;
  status: string;
  totalAmount: string | null;
  currency: string | null;
}

function isTimeout(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

/** No answer in time is 504 TIMEOUT_EXCEEDED (seed 001); no answer at all is 503 SERVICE_UNAVAILABLE. */
function unreachable(error: unknown, timeoutMs: number, what: string): AppError {
  if (isTimeout(error)) {
    return new AppError(
      'TIMEOUT_EXCEEDED',
      `The order service did not answer within ${timeoutMs} ms; ${what}`,
      { details: { service: 'orders', timeoutMs }, cause: error },
    );
  }
  return serviceUnavailable(`The order service could not be reached; ${what}`, { service: 'orders' }, error);
}

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
    private readonly options: { baseUrl: string; credentials: ServiceCredentials; timeoutMs: number },
  ) {}

  private token(): string {
    return signServiceToken(this.options.credentials, 60);
  }

  /** The order with this id, or null when the order service does not know it. */
  async findOrder(orderId: string, traceparent: string | null): Promise<KnownOrder | null> {
    const url = new URL(`/api/v1/orders/${encodeURIComponent(orderId)}`, this.options.baseUrl).toString();
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { authorization: `Bearer ${this.token()}`, ...(traceparent ? { traceparent } : {}) },
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw unreachable(error, this.options.timeoutMs, 'nothing was started');
    }
    const payload = (await response.json().catch(() => null)) as Partial<KnownOrder> | null;
    if (response.status === 404) return null;
    if (response.status !== 200 || !payload?.orderId || !payload.customerId) {
      throw serviceUnavailable(`The order service answered ${response.status}; nothing was started`, {
        service: 'orders',
        status: response.status,
      });
    }
    return {
      orderId: payload.orderId,
      customerId: payload.customerId,
      status: payload.status ?? 'UNKNOWN',
      totalAmount: payload.totalAmount ?? null,
      currency: payload.currency ?? null,
    };
  }

  async placeOrder(
    body: Record<string, unknown>,
    idempotencyKey: string,
    traceparent: string | null,
  ): Promise<PlaceOrderResult> {
    const token = this.token();
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
      throw unreachable(error, this.options.timeoutMs, 'nothing was started');
    }
    const payload = (await response.json().catch(() => null)) as
      | { orderId?: string; customerId?: string; totalAmount?: string; currency?: string }
      | { error?: { code?: string; message?: string; details?: Record<string, unknown> } }
      | null;
    // Any success carries the order: 202 Accepted (seed 003, the order service's answer), 201 from an
    // order service of before that change, 200 from a stand-in.
    if (response.ok) {
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
