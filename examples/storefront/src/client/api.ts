/** The platform's APIs as the page calls them: the catalog with the publishable key, orders with the customer's token. */

export interface StorefrontConfig {
  catalogApi: string;
  ordersApi: string;
  publishableKey: string;
  cards: { token: string; label: string }[];
}

export interface Product {
  id: string;
  sku: string;
  name: string;
  description: string | null;
  price: string;
  currency: string;
  stockStatus: 'IN_STOCK' | 'OUT_OF_STOCK';
  availableQuantity: number;
}

export interface Session {
  email: string;
  customerId: string;
  token: string;
  expiresAt: string;
}

export interface OrderLine {
  productId: string;
  name: string | null;
  sku: string | null;
  quantity: number;
  unitPrice: string;
  lineTotal: string;
}

export interface Order {
  orderId: string;
  status: string;
  items: OrderLine[];
  totalAmount: string;
  currency: string;
  createdAt: string;
  failure: { code: string; message: string | null } | null;
  shipment: { shipmentId: string; trackingId: string | null; carrier: string | null } | null;
}

export interface NewOrder {
  customerEmail: string;
  items: { productId: string; quantity: number; unitPrice: string }[];
  currency: string;
  cardToken: string;
  shippingAddress: { name: string; street: string; city: string; zipCode: string; country: string };
}

/** A refusal in the platform's error envelope. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly reason: string | null,
  ) {
    super(message);
  }
}

async function json<T>(response: Response): Promise<T> {
  const text = await response.text();
  const body = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = body?.error;
    throw new ApiError(
      response.status,
      error?.code ?? 'HTTP_ERROR',
      error?.message ?? `${response.status} ${response.statusText}`,
      error?.details?.reason ?? null,
    );
  }
  return body as T;
}

export class Api {
  constructor(readonly config: StorefrontConfig) {}

  private catalog(path: string): Promise<{ items: Product[] }> {
    return fetch(`${this.config.catalogApi}${path}`, {
      headers: { 'x-publishable-api-key': this.config.publishableKey },
    }).then((response) => json(response));
  }

  products(): Promise<{ items: Product[] }> {
    return this.catalog('/products?pageSize=48');
  }

  search(query: string): Promise<{ items: Product[] }> {
    return this.catalog(`/products/search?q=${encodeURIComponent(query)}&pageSize=48`);
  }

  /** Idempotent: the same key places the order once, however often it is sent. */
  placeOrder(session: Session, order: NewOrder, idempotencyKey: string): Promise<Order> {
    return fetch(`${this.config.ordersApi}/orders`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${session.token}`,
        'content-type': 'application/json',
        'x-idempotency-key': idempotencyKey,
      },
      body: JSON.stringify({
        currency: order.currency,
        customerEmail: order.customerEmail,
        items: order.items,
        paymentMethod: { type: 'CREDIT_CARD', token: order.cardToken },
        shippingAddress: order.shippingAddress,
        shippingMethod: 'STANDARD',
      }),
    }).then((response) => json(response));
  }

  order(session: Session, orderId: string): Promise<Order> {
    return fetch(`${this.config.ordersApi}/orders/${encodeURIComponent(orderId)}`, {
      headers: { authorization: `Bearer ${session.token}` },
    }).then((response) => json(response));
  }

  orders(session: Session): Promise<{ orders: Order[] }> {
    return fetch(`${this.config.ordersApi}/orders?size=50&sort=createdAt,desc`, {
      headers: { authorization: `Bearer ${session.token}` },
    }).then((response) => json(response));
  }
}

/** Signs in at the storefront's own server (a stand-in for the shop's identity provider). */
export async function signIn(email: string): Promise<Session> {
  const response = await fetch('/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email }),
  });
  return json(response);
}
