import type { BatchOperation, BatchOperationRow } from '../generated/prisma/client.js';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** An operation as the API shows it; with its rows when they were read. */
export function operationDocument(operation: BatchOperation & { rows?: BatchOperationRow[] }) {
  const settled = operation.succeeded + operation.failed;
  return {
    id: operation.id,
    type: operation.type,
    status: operation.status,
    filter: operation.filter,
    reason: operation.reason,
    requestedBy: operation.requestedBy,
    total: operation.total,
    succeeded: operation.succeeded,
    failed: operation.failed,
    pending: operation.total - settled,
    createdAt: operation.createdAt.toISOString(),
    completedAt: iso(operation.completedAt),
    ...(operation.rows
      ? {
          rows: operation.rows.map((row) => ({
            position: row.position,
            targetId: row.targetId,
            orderId: row.orderId,
            status: row.status,
            errorCode: row.errorCode,
            message: row.message,
            settledAt: iso(row.settledAt),
          })),
        }
      : {}),
  };
}

export type OperationDocument = ReturnType<typeof operationDocument>;
