/*
 * What the runs of the whole platform (end-to-end tests, benchmarks, chaos runs) send it: its services,
 * the storefront's order request, and JSON calls with a bearer token.
 */

/** The six services, in start order (the coordination service first: the others register with it). */
export const PLATFORM_SERVICES = [
  'platform-coordination',
  'product-catalog',
  'inventory',
  'orders',
  'delivery',
  'notifications',
] as const;
export type PlatformService = (typeof PLATFORM_SERVICES)[number];

/** Where the platform-wide runs ship their orders: a London customer's address. */
export const LONDON_ADDRESS = {
  name: 'Ada Lovelace',
  street: '12 Analytical Row',
  city: 'London',
  zipCode: 'N1 9GU',
  country: 'GB',
  phone: '+442071234567',
} as const;

export interface OrderRequestOptions {
  items: { productId: string; quantity: number; warehouseId?: string }[];
  customerEmail: string;
  /** The payment provider's test token of the card that pays; null leaves the payment out (a split payment's caller adds its parts). */
  cardToken: string | null;
}

/** The body of `POST /api/v1/orders` as the storefront sends it: USD, one card, standard shipping to London. */
export function orderRequest(options: OrderRequestOptions) {
  return {
    currency: 'USD',
    customerEmail: options.customerEmail,
    items: options.items,
    ...(options.cardToken === null
      ? {}
      : { paymentMethod: { type: 'CREDIT_CARD', token: options.cardToken } }),
    shippingAddress: { ...LONDON_ADDRESS },
    shippingMethod: 'STANDARD',
  };
}

export interface JsonAnswer<T> {
  status: number;
  /** The parsed body (null for an empty one). */
  body: T;
  headers: Headers;
}

/**
 * A JSON call with a bearer token (`bearer` is the token alone); answers the status, the parsed body and
 * the headers. `timeoutMs` aborts a call that takes longer.
 */
export async function callJson<T = Record<string, unknown>>(
  method: string,
  url: string,
  bearer: string,
  body?: unknown,
  headers: Record<string, string> = {},
  options: { timeoutMs?: number } = {},
): Promise<JsonAnswer<T>> {
  const response = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${bearer}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(options.timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(options.timeoutMs) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T, headers: response.headers };
}
