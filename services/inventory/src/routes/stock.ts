import { invalidFields, requirePrincipal, withSchemaTypes, type SchemaTypedApp } from '@fv/service-kit';
import {
  idempotencyHeaders,
  idempotently,
  idempotentRequestOf,
  sendIdempotent,
  type IdempotencyOptions,
} from '@fv/service-runtime';
import type { FastifyInstance } from 'fastify';
import type { Tx } from '../db/tx.js';
import { parseId } from '../domain/ids.js';
import { adjustStock } from '../use-cases/adjust-stock.js';
import type { InventoryDeps } from '../use-cases/context.js';
import { getProductStock, listLowStock } from '../use-cases/read-stock.js';
import { setStockLevel } from '../use-cases/set-stock-level.js';
import {
  adjustmentSchema,
  adjustStockBody,
  locationParams,
  locationSchema,
  lowStockPageSchema,
  lowStockQuery,
  productIdSchema,
  productStockSchema,
  setStockLevelBody,
} from './schemas.js';
import { locationView, productStockView } from './views.js';

export interface RouteDeps {
  deps: InventoryDeps;
  db: Tx;
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** How X-Idempotency-Key answers are kept (IDEMPOTENCY_RETENTION_HOURS). */
  idempotency: IdempotencyOptions;
}

const WRITERS = ['admin', 'service'] as const;
/** Services that may read stock levels. */
const STOCK_READERS = ['orders', 'product-catalog', 'platform-coordination'];
/** Stock is put at a location by operators only; delivery adjusts it when a return is restocked. */
const LOCATION_WRITERS: string[] = [];
const ADJUSTERS = ['delivery'];

/** Stock levels: read a product's stock, put stock at a location, adjust it, list what runs low. */
export async function stockRoutes(instance: FastifyInstance, routeDeps: RouteDeps): Promise<void> {
  const app = withSchemaTypes(instance);
  registerListLowStock(app, routeDeps);
  registerGetProductStock(app, routeDeps);
  registerSetStockLevel(app, routeDeps);
  registerAdjustStock(app, routeDeps);
}

function registerListLowStock(app: SchemaTypedApp, { db }: RouteDeps): void {
  app.get(
    '/inventory/low-stock',
    {
      config: { roles: [...WRITERS], services: STOCK_READERS },
      schema: {
        tags: ['inventory'],
        summary: 'Locations at or below their low-stock threshold, least available first',
        querystring: lowStockQuery,
        response: { 200: lowStockPageSchema },
      },
    },
    async (request) => {
      const { warehouseId, limit, offset } = request.query;
      const page = await listLowStock(db, { warehouseId: warehouseId ?? null, limit, offset });
      return { items: page.levels.map(locationView), total: page.total, limit, offset };
    },
  );
}

function registerGetProductStock(app: SchemaTypedApp, { db }: RouteDeps): void {
  app.get(
    '/inventory/:productId',
    {
      schema: {
        tags: ['inventory'],
        summary: 'Current stock of a product, in total and per location',
        params: { type: 'object', required: ['productId'], properties: { productId: productIdSchema } },
        response: { 200: productStockSchema, 404: { $ref: 'ErrorEnvelope#' } },
      },
    },
    async (request) => {
      const productId = parseId('product', request.params.productId)!;
      return productStockView(productId, await getProductStock(db, productId));
    },
  );
}

function registerSetStockLevel(app: SchemaTypedApp, { deps, transaction }: RouteDeps): void {
  app.put(
    '/inventory/:productId/locations/:warehouseId',
    {
      config: { roles: [...WRITERS], services: LOCATION_WRITERS },
      schema: {
        tags: ['inventory'],
        summary: 'Put a product in stock at a location, or set its counted units and threshold',
        description:
          'Creates the location record when the product has none there (201), otherwise sets it (200). A change in units on hand is recorded and announced like an adjustment (InventoryAdjusted, InventoryUpdated). Units on hand cannot go below what reservations hold.',
        params: locationParams,
        body: setStockLevelBody,
        response: {
          200: locationSchema,
          201: locationSchema,
          404: { $ref: 'ErrorEnvelope#' },
          422: { $ref: 'ErrorEnvelope#' },
        },
      },
    },
    async (request, reply) => {
      const productId = parseId('product', request.params.productId)!;
      const { onHand, lowStockThreshold, reason, reference } = request.body;
      const result = await transaction((tx) =>
        setStockLevel(
          tx,
          deps,
          {
            productId,
            warehouseId: request.params.warehouseId,
            onHand,
            lowStockThreshold: lowStockThreshold ?? null,
            reason: reason ?? null,
            reference: reference ?? null,
            actor: requirePrincipal(request).sub,
          },
          { correlationId: request.correlationId, traceparent: request.traceContext.traceparent },
        ),
      );
      return reply.code(result.created ? 201 : 200).send(locationView(result.level));
    },
  );
}

function registerAdjustStock(app: SchemaTypedApp, { deps, transaction, idempotency }: RouteDeps): void {
  app.post(
    '/inventory/adjust',
    {
      config: { roles: [...WRITERS], services: ADJUSTERS },
      schema: {
        tags: ['inventory'],
        summary: 'Change units on hand at a location, with a reason',
        headers: idempotencyHeaders,
        body: adjustStockBody,
        response: {
          201: adjustmentSchema,
          404: { $ref: 'ErrorEnvelope#' },
          409: { $ref: 'ErrorEnvelope#' },
          422: { $ref: 'ErrorEnvelope#' },
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (body.quantityChange === 0) {
        throw invalidFields([{ field: 'body.quantityChange', rule: 'not-zero', message: 'must not be 0' }]);
      }
      const productId = parseId('product', body.productId)!;
      const actor = requirePrincipal(request).sub;
      const outcome = await transaction((tx) =>
        idempotently(
          tx,
          idempotentRequestOf(request, 'adjust'),
          async () => {
            const result = await adjustStock(
              tx,
              deps,
              {
                productId,
                warehouseId: body.warehouseId,
                quantityChange: body.quantityChange,
                reason: body.reason,
                reference: body.reference ?? null,
                actor,
              },
              { correlationId: request.correlationId, traceparent: request.traceContext.traceparent },
            );
            return {
              statusCode: 201,
              body: {
                adjustmentId: result.adjustmentId,
                productId,
                warehouseId: body.warehouseId,
                quantityChange: body.quantityChange,
                previousQuantity: result.previousQuantity,
                newQuantity: result.level.onHand,
                reason: body.reason,
                reference: body.reference ?? null,
                location: locationView(result.level),
              },
            };
          },
          idempotency,
        ),
      );
      return sendIdempotent(reply, outcome);
    },
  );
}
