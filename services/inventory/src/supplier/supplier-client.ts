/** A purchase order as the supplier reports it. */
export interface SupplierOrder {
  purchaseOrderId: string;
  status: 'PLACED' | 'CONFIRMED' | 'DELIVERED' | 'REJECTED';
  quantity: number;
  expectedAt: Date | null;
  rejectionReason: string | null;
}

/** What one call to the supplier came to. */
export type SupplierAnswer =
  | { kind: 'order'; order: SupplierOrder }
  /** The supplier refused for good (a rejection, or a request it will never accept). */
  | { kind: 'rejected'; reason: string }
  /** No final answer: the supplier is down, failing or too slow; the same call may be made again. */
  | { kind: 'unavailable'; timedOut: boolean; error: string };

export interface PurchaseOrderRequest {
  /** The replenishment id: the idempotency key and the order's reference. */
  replenishmentId: string;
  productId: string;
  warehouseId: string;
  quantity: number;
}

/** The supplier's purchase-order API, as inventory uses it. */
export interface Supplier {
  placeOrder(request: PurchaseOrderRequest): Promise<SupplierAnswer>;
  getOrder(purchaseOrderId: string): Promise<SupplierAnswer>;
}

interface OrderBody {
  id: string;
  status: SupplierOrder['status'];
  quantity: number;
  expectedAt?: string | null;
  rejectionReason?: string | null;
}

/**
 * The supplier over HTTP. Every call has a timeout; a placed order is keyed by the replenishment id
 * (`Idempotency-Key`), so a call repeated after a timeout or a restart finds the same order. Retries are
 * the caller's: the replenishment driver keeps the failed attempts in the database.
 */
export class HttpSupplier implements Supplier {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  placeOrder(request: PurchaseOrderRequest): Promise<SupplierAnswer> {
    return this.call('POST', '/v1/purchase-orders', {
      headers: { 'idempotency-key': `replenishment-${request.replenishmentId}` },
      body: {
        productId: request.productId,
        warehouseId: request.warehouseId,
        quantity: request.quantity,
        reference: request.replenishmentId,
      },
    });
  }

  getOrder(purchaseOrderId: string): Promise<SupplierAnswer> {
    return this.call('GET', `/v1/purchase-orders/${encodeURIComponent(purchaseOrderId)}`, {});
  }

  private async call(
    method: string,
    path: string,
    request: { headers?: Record<string, string>; body?: unknown },
  ): Promise<SupplierAnswer> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl.replace(/\/$/, '')}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...request.headers,
        },
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      return {
        kind: 'unavailable',
        timedOut,
        error: timedOut ? `no answer within ${this.timeoutMs} ms` : String(error),
      };
    }
    const text = await response.text().catch(() => '');
    if (response.ok) return { kind: 'order', order: orderOf(JSON.parse(text) as OrderBody) };
    if (response.status >= 500 || response.status === 429 || response.status === 408) {
      return {
        kind: 'unavailable',
        timedOut: response.status === 504,
        error: `HTTP ${response.status}: ${text.slice(0, 300)}`,
      };
    }
    return { kind: 'rejected', reason: rejectionOf(response.status, text) };
  }
}

function orderOf(body: OrderBody): SupplierOrder {
  return {
    purchaseOrderId: body.id,
    status: body.status,
    quantity: body.quantity,
    expectedAt: body.expectedAt ? new Date(body.expectedAt) : null,
    rejectionReason: body.rejectionReason ?? null,
  };
}

function rejectionOf(status: number, text: string): string {
  try {
    const error = (
      JSON.parse(text) as { error?: { message?: string; details?: { rejectionReason?: string } } }
    ).error;
    return error?.details?.rejectionReason ?? `HTTP ${status}: ${error?.message ?? text.slice(0, 300)}`;
  } catch {
    return `HTTP ${status}: ${text.slice(0, 300)}`;
  }
}
