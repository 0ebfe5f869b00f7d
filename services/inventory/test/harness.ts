import { runtimeHarness } from '@fv/service-runtime/testing';
import { randomUUID } from 'node:crypto';
import { eventNamesOfDomain, type EventName, type EventPayload } from '@fv/contracts';
import { signToken } from '@fv/service-kit';
import type { ServiceRuntime } from '@fv/service-runtime';
import { ServiceHarness } from '@fv/testing';
import type { InventoryConfig } from '../src/config.js';
import type { PrismaClient } from '../src/generated/prisma/client.js';
import { inventoryService } from '../src/service.js';

export const JWT_SECRET = 'inventory-test-secret-0123456789';
export const token = (sub: string, roles: ('admin' | 'service' | 'customer')[]) =>
  `Bearer ${signToken(JWT_SECRET, { sub, roles, expiresIn: 3600 })}`;
export const ADMIN = token('operator-1', ['admin']);
export const SERVICE = token('orders', ['service']);
export const CUSTOMER = token('customer-1', ['customer']);

/** Topics the inventory consumer reads. */
export const CONSUMED: EventName[] = [
  'OrderCreated',
  'OrderConfirmed',
  'OrderCompleted',
  'CompensationRequested',
  'StepRetryRequested',
  'LowStockAlert',
  'ReturnReceived',
];
/** Topics inventory writes. */
export const PRODUCED: EventName[] = [...eventNamesOfDomain('inventory'), 'CompensationOutcome'];

export type Inventory = ServiceRuntime<PrismaClient, InventoryConfig>;

/**
 * One inventory instance on a fresh database against the shared broker and registry, a producer for the
 * events other services send, and collectors of what inventory publishes and dead-letters.
 */
export class InventoryHarness extends ServiceHarness<Inventory> {
  protected readonly eventSource = 'inventory-test';
  protected readonly consumedEvents = CONSUMED;

  /**
   * Starts inventory as `inventory-<name>`, with `env` over the test settings, on a PostgreSQL database
   * of its own or on the embedded one.
   */
  static start(
    name: string,
    env: Record<string, string> = {},
    options: { database?: 'postgres' | 'embedded' } = {},
  ): Promise<InventoryHarness> {
    return new InventoryHarness().startService({
      service: `inventory-${name}`,
      produced: PRODUCED,
      ...runtimeHarness(inventoryService),
      database: options.database ?? 'postgres',
      env: {
        JWT_SECRET,
        // No supplier unless a test starts one: the discard port refuses every call.
        SUPPLIER_URL: 'http://127.0.0.1:9',
        ...env,
      },
    });
  }
}

/** A product id no other test uses. */
export const newProduct = () => randomUUID();

export function orderCreated(
  orderId: string,
  items: { productId: string; quantity: number; warehouseId?: string | null }[],
): EventPayload<'OrderCreated'> {
  return {
    orderId,
    customerId: randomUUID(),
    customerEmail: null,
    items: items.map((item) => ({
      productId: item.productId,
      sku: null,
      quantity: item.quantity,
      unitPrice: '10.00',
      warehouseId: item.warehouseId ?? null,
    })),
    totalAmount: '10.00',
    currency: 'USD',
    paymentMethod: 'CREDIT_CARD',
    shippingAddress: {
      name: null,
      street: '1 Main St',
      city: 'Springfield',
      state: null,
      zipCode: '12345',
      country: 'US',
      phone: null,
    },
    shippingMethod: 'STANDARD',
    options: null,
    metadata: {},
  };
}

/** Puts `onHand` units of a product at a location through the API. */
export async function stock(
  h: InventoryHarness,
  productId: string,
  warehouseId: string,
  onHand: number,
  lowStockThreshold = 0,
) {
  const response = await h.app.inject({
    method: 'PUT',
    url: `/api/v1/inventory/${productId}/locations/${warehouseId}`,
    headers: { authorization: ADMIN },
    payload: { onHand, lowStockThreshold },
  });
  if (response.statusCode >= 300) throw new Error(`stocking failed: ${response.statusCode} ${response.body}`);
  return response.json();
}

export async function stockOf(h: InventoryHarness, productId: string) {
  const response = await h.app.inject({
    url: `/api/v1/inventory/${productId}`,
    headers: { authorization: CUSTOMER },
  });
  if (response.statusCode !== 200)
    throw new Error(`reading stock failed: ${response.statusCode} ${response.body}`);
  return response.json() as {
    onHand: number;
    reserved: number;
    available: number;
    locations: { warehouseId: string; onHand: number; reserved: number; available: number }[];
  };
}
