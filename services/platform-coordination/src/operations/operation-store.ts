import type { BatchOperation, BatchOperationRow, Prisma } from '../generated/prisma/client.js';
import type { Db } from '../shared/db.js';

export type OperationType = 'RETRY' | 'CANCEL' | 'REPLAY';
export type RowStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED';

export interface NewOperation {
  id: string;
  type: OperationType;
  filter: Record<string, unknown>;
  reason: string | null;
  requestedBy: string;
  createdAt: Date;
  targets: { targetId: string; orderId: string | null }[];
}

/** Records an operation and one PENDING row per target, in the caller's transaction. */
export async function createOperation(db: Db, operation: NewOperation): Promise<void> {
  await db.batchOperation.create({
    data: {
      id: operation.id,
      type: operation.type,
      status: operation.targets.length ? 'RUNNING' : 'COMPLETED',
      filter: operation.filter as Prisma.InputJsonValue,
      reason: operation.reason,
      requestedBy: operation.requestedBy,
      total: operation.targets.length,
      createdAt: operation.createdAt,
      ...(operation.targets.length ? {} : { completedAt: operation.createdAt }),
    },
  });
  if (operation.targets.length === 0) return;
  await db.batchOperationRow.createMany({
    data: operation.targets.map((target, position) => ({
      operationId: operation.id,
      position,
      targetId: target.targetId,
      orderId: target.orderId,
      status: 'PENDING',
    })),
  });
}

export async function findOperation(
  db: Db,
  id: string,
): Promise<(BatchOperation & { rows: BatchOperationRow[] }) | null> {
  return db.batchOperation.findUnique({
    where: { id },
    include: { rows: { orderBy: { position: 'asc' } } },
  });
}

export async function recentOperations(db: Db, limit: number): Promise<BatchOperation[]> {
  return db.batchOperation.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'asc' }], take: limit });
}

export async function runningOperationIds(db: Db): Promise<string[]> {
  const rows = await db.batchOperation.findMany({
    where: { status: 'RUNNING' },
    select: { id: true },
    orderBy: { createdAt: 'asc' },
  });
  return rows.map((row) => row.id);
}

/** The next rows of an operation still to be done, in order. */
export async function pendingRows(db: Db, operationId: string, limit: number): Promise<BatchOperationRow[]> {
  return db.batchOperationRow.findMany({
    where: { operationId, status: 'PENDING' },
    orderBy: { position: 'asc' },
    take: limit,
  });
}

/** Settles one row and counts it on its operation (a row settled already is left as it is). */
export async function settleRow(
  db: Db,
  row: { operationId: string; position: number },
  outcome: { status: Exclude<RowStatus, 'PENDING'>; errorCode: string | null; message: string | null },
  at: Date,
): Promise<void> {
  const updated = await db.batchOperationRow.updateMany({
    where: { operationId: row.operationId, position: row.position, status: 'PENDING' },
    data: { ...outcome, settledAt: at },
  });
  if (updated.count === 0) return;
  await db.batchOperation.update({
    where: { id: row.operationId },
    data: outcome.status === 'SUCCEEDED' ? { succeeded: { increment: 1 } } : { failed: { increment: 1 } },
  });
}

/** Marks an operation COMPLETED once none of its rows is pending. */
export async function completeIfSettled(db: Db, operationId: string, at: Date): Promise<boolean> {
  const pending = await db.batchOperationRow.count({ where: { operationId, status: 'PENDING' } });
  if (pending > 0) return false;
  await db.batchOperation.updateMany({
    where: { id: operationId, status: 'RUNNING' },
    data: { status: 'COMPLETED', completedAt: at },
  });
  return true;
}

/**
 * Claims a RUNNING operation for `runner` until `until`: granted when nobody holds it, this runner does,
 * or the holder's claim ran out (its instance stopped). Two instances never work through the same rows.
 */
export async function claimOperation(
  db: Db,
  operationId: string,
  runner: string,
  now: Date,
  until: Date,
): Promise<boolean> {
  const claimed = await db.batchOperation.updateMany({
    where: {
      id: operationId,
      status: 'RUNNING',
      OR: [{ runner: null }, { runner }, { leaseUntil: { lt: now } }],
    },
    data: { runner, leaseUntil: until },
  });
  return claimed.count === 1;
}
