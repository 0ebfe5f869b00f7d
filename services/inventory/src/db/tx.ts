import type { SqlClient } from '@fv/messaging';
import type { Prisma, PrismaClient } from '../generated/prisma/client.js';

/** A Prisma transaction of the inventory database; every write happens in one. */
export type Tx = Prisma.TransactionClient & SqlClient;

export type InventoryPrisma = PrismaClient;

/**
 * Event handlers receive the consumer's transaction typed as the messaging layer's SqlClient; it is
 * the inventory Prisma client's interactive transaction, so the full client API is there.
 */
export function asTx(tx: SqlClient): Tx {
  return tx as Tx;
}
