/**
 * The order service for other packages' tests (`@fv/orders/testing`), which run it in their own
 * process: its definition, its configuration and its database client's types.
 */
export { createOrdersService } from './service.js';
export type { OrdersConfig } from './config.js';
export type { PrismaClient as OrdersPrisma } from './generated/prisma/client.js';
