import type { SqlClient } from '@fv/messaging';
import type { Prisma } from '../generated/prisma/client.js';

/** The Prisma transaction client every store function takes. */
export type Db = Prisma.TransactionClient;

/** The transaction a consumer hands to an event handler, with the service's models. */
export function asDb(tx: SqlClient): Db {
  return tx as unknown as Db;
}

/** True when `error` is a unique-constraint violation (Prisma P2002). */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}
