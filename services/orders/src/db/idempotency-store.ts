import type { Prisma } from '../generated/prisma/client.js';
import type { Db } from './orders-store.js';

export interface StoredResponse {
  requestHash: string;
  responseStatus: number;
  responseBody: unknown;
}

export interface IdempotencyScope {
  callerId: string;
  operation: string;
  key: string;
}

export async function findStoredResponse(db: Db, scope: IdempotencyScope): Promise<StoredResponse | null> {
  const row = await db.idempotencyKey.findUnique({
    where: {
      callerId_operation_key: { callerId: scope.callerId, operation: scope.operation, key: scope.key },
    },
  });
  return (
    row && {
      requestHash: row.requestHash,
      responseStatus: row.responseStatus,
      responseBody: row.responseBody,
    }
  );
}

/** Stores the first answer; fails with a unique violation when a concurrent request stored one first. */
export async function storeResponse(
  db: Db,
  scope: IdempotencyScope,
  response: StoredResponse,
): Promise<void> {
  await db.idempotencyKey.create({
    data: {
      ...scope,
      requestHash: response.requestHash,
      responseStatus: response.responseStatus,
      responseBody: response.responseBody as Prisma.InputJsonValue,
    },
  });
}

/** Forgets answers stored before `before`; returns how many. */
export async function purgeStoredResponses(db: Db, before: Date): Promise<number> {
  const { count } = await db.idempotencyKey.deleteMany({ where: { createdAt: { lt: before } } });
  return count;
}
