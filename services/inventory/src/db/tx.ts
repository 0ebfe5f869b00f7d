import type { SqlClient } from '@fv/messaging';
import type { PrismaClient } from '../generated/prisma/client.js';

/**
 * A transaction of the inventory database; every write happens in one. The stores write with SQL only,
 * so the same code runs in a Prisma transaction (HTTP routes) and in the consumer's direct one.
 */
export type Tx = SqlClient;

export type InventoryPrisma = PrismaClient;
