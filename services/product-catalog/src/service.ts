import { idempotencyPurge, type ServiceDefinition } from '@fv/service-runtime';
import { idempotencyOptions } from './catalog-context.js';
import { catalogConfigSchema, type CatalogConfig } from './config.js';
import { onInventoryUpdated } from './events/on-inventory-updated.js';
import { PrismaClient } from './generated/prisma/client.js';
import { categoryRoutes } from './routes/categories.js';
import { productRoutes } from './routes/products.js';

/**
 * The product catalog: products with attributes, variants and prices (with history), categories as a
 * tree, filtering and full-text search. Publishes ProductCreated, ProductUpdated, ProductDeleted,
 * PriceChanged and ProductOutOfStock; consumes InventoryUpdated to keep each product's stock status.
 */
export const productCatalogService: ServiceDefinition<PrismaClient, CatalogConfig> = {
  name: 'product-catalog',
  port: 8082,
  configSchema: catalogConfigSchema,
  migrationsDir: new URL('../prisma/migrations', import.meta.url).pathname,
  createPrisma: (adapter) => new PrismaClient({ adapter }),
  routes(app, ctx) {
    productRoutes(app, ctx);
    categoryRoutes(app, ctx);
  },
  consumers: (ctx) => [{ handlers: { InventoryUpdated: onInventoryUpdated(ctx) } }],
  background: (ctx) => [idempotencyPurge(ctx, idempotencyOptions(ctx))],
  tags: ['catalog'],
};
