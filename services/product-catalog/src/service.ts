import { idempotencyPurge, type ServiceDefinition } from '@fv/service-runtime';
import { KeyRateLimiter } from './access/key-rate-limiter.js';
import { PublishableKeyVerifier } from './access/publishable-key-verifier.js';
import { idempotencyOptions } from './catalog-context.js';
import { catalogConfigSchema, type CatalogConfig } from './config.js';
import { onInventoryUpdated } from './events/on-inventory-updated.js';
import { PrismaClient } from './generated/prisma/client.js';
import { categoryRoutes } from './routes/categories.js';
import { productRoutes } from './routes/products.js';
import { publishableKeyRoutes } from './routes/publishable-keys.js';

/**
 * The product catalog: products with attributes, variants and prices (with history), categories as a
 * tree, filtering and full-text search, read by storefronts with publishable keys. Publishes ProductCreated, ProductUpdated, ProductDeleted,
 * PriceChanged and ProductOutOfStock; consumes InventoryUpdated to keep each product's stock status.
 */
export const productCatalogService: ServiceDefinition<PrismaClient, CatalogConfig> = {
  name: 'product-catalog',
  port: 8082,
  configSchema: catalogConfigSchema,
  migrationsDir: new URL('../prisma/migrations', import.meta.url).pathname,
  createPrisma: (adapter) => new PrismaClient({ adapter }),
  routes(app, ctx) {
    // Storefronts read the catalog with a publishable key instead of a customer's token.
    const access = { verifier: new PublishableKeyVerifier(ctx.prisma), limiter: new KeyRateLimiter() };
    productRoutes(app, ctx, access);
    categoryRoutes(app, ctx, access);
    publishableKeyRoutes(app, ctx, access);
  },
  // The stock path writes with SQL only: the consumer's transactions skip Prisma (docs/performance.md).
  consumers: (ctx) => [{ handlers: { InventoryUpdated: onInventoryUpdated(ctx) }, transactions: 'direct' }],
  background: (ctx) => [idempotencyPurge(ctx, idempotencyOptions(ctx))],
  tags: ['catalog'],
};
