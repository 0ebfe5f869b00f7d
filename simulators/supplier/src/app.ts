import type { Database } from '@fv/database';
import { AppError, createApp, type Logger } from '@fv/service-kit';
import type { FastifyInstance } from 'fastify';
import type { SupplierConfig } from './config.js';
import {
  BEHAVIOURS,
  behaviourOf,
  findOrder,
  fingerprintOf,
  insertOrder,
  orderOfKey,
  ordersOfReference,
  setBehaviour,
  viewOf,
  type Behaviour,
  type PurchaseOrderRequest,
} from './purchase-orders.js';

export interface SupplierAppOptions {
  config: SupplierConfig;
  db: Database;
  logger?: Logger;
  now?: () => Date;
}

const ID = { type: 'string', minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' };
const KEY = /^[\x21-\x7e]{1,255}$/;

const PURCHASE_ORDER_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['productId', 'warehouseId', 'quantity'],
  properties: {
    productId: ID,
    warehouseId: ID,
    quantity: { type: 'integer', minimum: 1, maximum: 10_000_000 },
    reference: { type: 'string', minLength: 1, maxLength: 200 },
  },
};

/** What the routes are built from: the settings, the database and the clock. */
interface RouteDeps {
  config: SupplierConfig;
  db: Database;
  now: () => Date;
}

function idempotencyKeyOf(headers: Record<string, unknown>): string {
  const value = headers['idempotency-key'];
  if (typeof value === 'string' && KEY.test(value)) return value;
  throw new AppError('INVALID_REQUEST', 'A valid Idempotency-Key header is required on every POST', {
    details: {
      fields: [
        {
          field: 'headers.idempotency-key',
          rule: typeof value === 'string' && value.length > 0 ? 'pattern' : 'required',
          message: 'send an Idempotency-Key header of 1 to 255 visible ASCII characters',
        },
      ],
    },
  });
}

function rejected(id: string, reason: string) {
  return new AppError('UNPROCESSABLE_ENTITY', `The supplier rejected purchase order ${id}: ${reason}`, {
    details: { reason: 'SUPPLIER_REJECTED', rejectionReason: reason, purchaseOrderId: id },
  });
}

/**
 * The simulated supplier's HTTP API: purchase orders placed under an `Idempotency-Key` (one order per
 * key, a rejection included), confirmed and delivered after the configured delays; the state lives in
 * the database only, so a restart changes nothing. Builds the app; never listens.
 */
export async function buildSupplierApp(options: SupplierAppOptions): Promise<FastifyInstance> {
  const { config, db } = options;
  const now = options.now ?? (() => new Date());
  const app = await createApp({
    config,
    ...(options.logger ? { logger: options.logger } : {}),
    rateLimit: false,
    healthChecks: [{ name: 'database', critical: true, check: () => db.ping() }],
    openapi: {
      description: 'A supplier simulator: purchase orders with idempotency keys and delayed delivery',
    },
  });
  const deps = { config, db, now };
  registerPlacePurchaseOrder(app, deps);
  registerGetPurchaseOrder(app, deps);
  registerListPurchaseOrders(app, deps);
  registerSetTestBehaviour(app, deps);
  return app;
}

function registerPlacePurchaseOrder(app: FastifyInstance, { config, db, now }: RouteDeps): void {
  app.post<{ Body: PurchaseOrderRequest }>(
    '/v1/purchase-orders',
    {
      schema: {
        summary: 'Place a purchase order for units of a product, delivered to a warehouse',
        headers: {
          type: 'object',
          properties: { 'idempotency-key': { type: 'string', description: 'required' } },
        },
        body: PURCHASE_ORDER_BODY,
      },
    },
    async (request, reply) => {
      const key = idempotencyKeyOf(request.headers);
      const body = request.body;
      const behaviour = await behaviourOf(db.query, body.productId);
      const outcome = await db.transaction(async (tx) => {
        const existing = await orderOfKey(tx, key);
        if (existing) return { row: existing, replayed: true };
        if (behaviour === 'UNAVAILABLE') return null;
        const rejectionReason =
          behaviour === 'REJECT'
            ? 'PRODUCT_DISCONTINUED'
            : body.quantity > config.MAX_QUANTITY
              ? 'QUANTITY_TOO_LARGE'
              : null;
        const row = await insertOrder(tx, key, body, {
          rejectionReason,
          confirmDelayMs: config.CONFIRM_DELAY_MS,
          deliveryDelayMs: config.DELIVERY_DELAY_MS,
        });
        return { row, replayed: false };
      });
      if (!outcome) {
        throw new AppError('SERVICE_UNAVAILABLE', 'The supplier cannot take orders right now; retry later', {
          details: { reason: 'SUPPLIER_UNAVAILABLE' },
          headers: { 'retry-after': '1' },
        });
      }
      const { row, replayed } = outcome;
      if (row.request_fingerprint !== fingerprintOf(body)) {
        throw new AppError('CONFLICT', 'This Idempotency-Key was already used for another purchase order', {
          details: {
            reason: 'IDEMPOTENCY_KEY_REUSED',
            field: 'headers.idempotency-key',
            idempotencyKey: key,
          },
        });
      }
      if (replayed) reply.header('idempotent-replayed', 'true');
      if (row.rejection_reason) throw rejected(row.id, row.rejection_reason);
      return reply.code(replayed ? 200 : 201).send(viewOf(row, now()));
    },
  );
}

function registerGetPurchaseOrder(app: FastifyInstance, { db, now }: RouteDeps): void {
  app.get<{ Params: { id: string } }>(
    '/v1/purchase-orders/:id',
    {
      schema: {
        summary: 'A purchase order with its status (PLACED, CONFIRMED, DELIVERED, REJECTED)',
        params: { type: 'object', required: ['id'], properties: { id: ID } },
      },
    },
    async (request) => {
      const row = await findOrder(db.query, request.params.id);
      if (!row) {
        throw new AppError('NOT_FOUND', `No purchase order ${request.params.id}`, {
          details: { reason: 'PURCHASE_ORDER_NOT_FOUND', purchaseOrderId: request.params.id },
        });
      }
      return viewOf(row, now());
    },
  );
}

function registerListPurchaseOrders(app: FastifyInstance, { db, now }: RouteDeps): void {
  app.get<{ Querystring: { reference: string } }>(
    '/v1/purchase-orders',
    {
      schema: {
        summary: 'Purchase orders placed with a reference',
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['reference'],
          properties: { reference: { type: 'string', minLength: 1, maxLength: 200 } },
        },
      },
    },
    async (request) => ({
      purchaseOrders: (await ordersOfReference(db.query, request.query.reference)).map((row) =>
        viewOf(row, now()),
      ),
    }),
  );
}

function registerSetTestBehaviour(app: FastifyInstance, { db }: RouteDeps): void {
  app.put<{ Params: { productId: string }; Body: { behaviour: Behaviour } }>(
    '/v1/test-behaviours/:productId',
    {
      schema: {
        summary:
          'How the supplier answers new purchase orders for a product (tests): NORMAL, REJECT, UNAVAILABLE',
        params: { type: 'object', required: ['productId'], properties: { productId: ID } },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['behaviour'],
          properties: { behaviour: { type: 'string', enum: [...BEHAVIOURS] } },
        },
      },
    },
    async (request) => {
      await setBehaviour(db.query, request.params.productId, request.body.behaviour);
      return { productId: request.params.productId, behaviour: request.body.behaviour };
    },
  );
}
