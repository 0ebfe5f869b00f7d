import { AppError, withSchemaTypes, type SchemaTypedApp } from '@fv/service-kit';
import type { FastifyInstance } from 'fastify';
import {
  findReplenishment,
  listReplenishments,
  REPLENISHMENT_STATUSES,
  saveSetting,
  settingOf,
  type ReplenishmentRecord,
} from '../db/replenishment-store.js';
import { parseId } from '../domain/ids.js';
import type { RouteDeps } from './stock.js';
import { locationParams, MAX_UNITS, productIdSchema, warehouseIdSchema } from './schemas.js';

const ADMIN = ['admin'] as const;
const ADMIN_OR_SERVICE = ['admin', 'service'] as const;
/** Services that may read replenishments (the workflow view). */
const READERS = ['platform-coordination'];
const SUPPLIER_ID = { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' } as const;

function replenishmentView(r: ReplenishmentRecord) {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return {
    replenishmentId: r.id,
    productId: r.productId,
    warehouseId: r.warehouseId,
    status: r.status,
    quantity: r.quantity,
    availableQuantity: r.availableQuantity,
    threshold: r.threshold,
    supplierId: r.supplierId,
    purchaseOrderId: r.purchaseOrderId,
    expectedAt: iso(r.expectedAt),
    failedAttempts: r.attempts,
    lastError: r.lastError,
    failureReason: r.failureReason,
    failureDetails: r.failureDetails,
    createdAt: iso(r.createdAt),
    orderedAt: iso(r.orderedAt),
    confirmedAt: iso(r.confirmedAt),
    closedAt: iso(r.closedAt),
  };
}

function locationNotFound(productId: string, warehouseId: string) {
  return new AppError('NOT_FOUND', `Product ${productId} has no stock record at location ${warehouseId}`, {
    details: { reason: 'STOCK_LOCATION_NOT_FOUND', productId, warehouseId },
  });
}

/** Replenishments (read) and each location's reorder settings (read, set): operators only. */
export async function replenishmentRoutes(instance: FastifyInstance, routeDeps: RouteDeps): Promise<void> {
  const app = withSchemaTypes(instance);
  registerListReplenishments(app, routeDeps);
  registerGetReplenishment(app, routeDeps);
  registerGetReplenishmentSetting(app, routeDeps);
  registerSetReplenishmentSetting(app, routeDeps);
}

function registerListReplenishments(app: SchemaTypedApp, { db }: RouteDeps): void {
  app.get(
    '/inventory/replenishments',
    {
      config: { roles: [...ADMIN_OR_SERVICE], services: READERS },
      schema: {
        tags: ['replenishment'],
        summary: 'Replenishments, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: [...REPLENISHMENT_STATUSES] },
            productId: productIdSchema,
            warehouseId: warehouseIdSchema,
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
      },
    },
    async (request) => {
      const { status, productId, warehouseId, limit, offset } = request.query;
      const page = await listReplenishments(db, {
        status: status ?? null,
        productId: productId ? parseId('product', productId) : null,
        warehouseId: warehouseId ?? null,
        limit,
        offset,
      });
      return { items: page.items.map(replenishmentView), total: page.total, limit, offset };
    },
  );
}

function registerGetReplenishment(app: SchemaTypedApp, { db }: RouteDeps): void {
  app.get(
    '/inventory/replenishments/:replenishmentId',
    {
      config: { roles: [...ADMIN_OR_SERVICE], services: READERS },
      schema: {
        tags: ['replenishment'],
        summary: 'One replenishment with its purchase order and outcome',
        params: {
          type: 'object',
          required: ['replenishmentId'],
          properties: { replenishmentId: { type: 'string', format: 'uuid' } },
        },
      },
    },
    async (request) => {
      const found = await findReplenishment(db, request.params.replenishmentId);
      if (!found)
        throw new AppError('NOT_FOUND', `No replenishment ${request.params.replenishmentId}`, {
          details: { reason: 'REPLENISHMENT_NOT_FOUND', replenishmentId: request.params.replenishmentId },
        });
      return replenishmentView(found);
    },
  );
}

/** A location's low-stock threshold and its reorder setting, or the policy's defaults where it has none. */
async function settingsView({ deps, db }: RouteDeps, productId: string, warehouseId: string) {
  const [level] = await db.$queryRawUnsafe<{ threshold: number }[]>(
    'select low_stock_threshold as threshold from stock_levels where product_id = $1::uuid and warehouse_id = $2',
    productId,
    warehouseId,
  );
  if (!level) throw locationNotFound(productId, warehouseId);
  const setting = await settingOf(db, productId, warehouseId);
  const policy = deps.limits.replenishment;
  return {
    productId,
    warehouseId,
    lowStockThreshold: level.threshold,
    reorderQuantity: setting?.reorderQuantity ?? policy.defaultReorderQuantity,
    supplierId: setting?.supplierId ?? policy.defaultSupplierId,
    defaults: setting === null,
  };
}

function registerGetReplenishmentSetting(app: SchemaTypedApp, routeDeps: RouteDeps): void {
  app.get(
    '/inventory/:productId/locations/:warehouseId/replenishment',
    {
      config: { roles: [...ADMIN_OR_SERVICE], services: READERS },
      schema: {
        tags: ['replenishment'],
        summary: "A location's low-stock threshold, reorder quantity and supplier",
        params: locationParams,
      },
    },
    async (request) =>
      settingsView(routeDeps, parseId('product', request.params.productId)!, request.params.warehouseId),
  );
}

function registerSetReplenishmentSetting(app: SchemaTypedApp, routeDeps: RouteDeps): void {
  const { deps, transaction } = routeDeps;
  app.put(
    '/inventory/:productId/locations/:warehouseId/replenishment',
    {
      config: { roles: [...ADMIN], services: [] },
      schema: {
        tags: ['replenishment'],
        summary: "Set a location's reorder quantity and supplier (and its low-stock threshold)",
        params: locationParams,
        body: {
          type: 'object',
          required: ['reorderQuantity'],
          additionalProperties: false,
          properties: {
            reorderQuantity: { type: 'integer', minimum: 1, maximum: 1_000_000 },
            supplierId: SUPPLIER_ID,
            lowStockThreshold: { type: 'integer', minimum: 0, maximum: MAX_UNITS },
          },
        },
      },
    },
    async (request) => {
      const productId = parseId('product', request.params.productId)!;
      const { warehouseId } = request.params;
      const { reorderQuantity, supplierId, lowStockThreshold } = request.body;
      await transaction(async (tx) => {
        const changed = await tx.$executeRawUnsafe(
          `update stock_levels set low_stock_threshold = coalesce($3::int, low_stock_threshold), updated_at = now()
           where product_id = $1::uuid and warehouse_id = $2`,
          productId,
          warehouseId,
          lowStockThreshold ?? null,
        );
        if (changed === 0) throw locationNotFound(productId, warehouseId);
        await saveSetting(tx, {
          productId,
          warehouseId,
          reorderQuantity,
          supplierId: supplierId ?? deps.limits.replenishment.defaultSupplierId,
        });
      });
      return settingsView(routeDeps, productId, warehouseId);
    },
  );
}
