import { AppError, invalidFields } from '@fv/service-kit';
import type { PrismaDb } from '../db/client.js';
import { findReturnById, lockReturnById } from '../db/returns.js';
import { checkReceivedItems, type ItemCondition } from '../domain/returns.js';
import type { DeliveryDeps, EventMeta } from './deps.js';

export interface ReturnReceipt {
  returnId: string;
  warehouseId: string;
  items: { productId: string; condition: ItemCondition }[];
}

/**
 * The warehouse received and inspected a requested return. ReturnReceived carries each item's
 * condition and is the refund trigger: the orders service refunds the order when it sees it.
 */
export async function receiveReturn(
  db: PrismaDb,
  deps: DeliveryDeps,
  receipt: ReturnReceipt,
  meta: Omit<EventMeta, 'correlationId'>,
) {
  if (!(await lockReturnById(db, receipt.returnId))) {
    throw new AppError('NOT_FOUND', `Return ${receipt.returnId} does not exist`, {
      details: { returnId: receipt.returnId },
    });
  }
  const existing = await findReturnById(db, receipt.returnId);
  if (!existing) throw new Error(`return ${receipt.returnId} vanished`);
  if (existing.status !== 'REQUESTED') {
    throw new AppError('UNPROCESSABLE_ENTITY', `Return ${existing.id} was already received`, {
      details: {
        reason: 'RETURN_ALREADY_RECEIVED',
        returnId: existing.id,
        status: existing.status,
        receivedAt: existing.receivedAt?.toISOString() ?? null,
      },
    });
  }
  const issues = checkReceivedItems({ requested: existing.items, received: receipt.items });
  if (issues.length > 0) {
    const error = invalidFields(
      issues.map((issue) => ({ field: issue.field, rule: issue.reason, message: issue.message })),
    );
    throw new AppError('UNPROCESSABLE_ENTITY', error.message, {
      details: { reason: 'RETURN_ITEMS_INVALID', ...error.details },
    });
  }

  const conditions = new Map(receipt.items.map((item) => [item.productId, item.condition]));
  for (const item of existing.items) {
    await db.returnItem.update({
      where: { returnId_productId: { returnId: existing.id, productId: item.productId } },
      data: { condition: conditions.get(item.productId) ?? null },
    });
  }
  await db.return.update({
    where: { id: existing.id },
    data: { status: 'RECEIVED', warehouseId: receipt.warehouseId, receivedAt: deps.now() },
  });
  await deps.outbox.publish(
    db,
    'ReturnReceived',
    {
      returnId: existing.id,
      orderId: existing.orderId,
      customerId: existing.customerId,
      items: existing.items.map((item) => ({
        productId: item.productId,
        quantity: item.quantity,
        reason: item.reason,
        condition: conditions.get(item.productId) ?? null,
      })),
      warehouseId: receipt.warehouseId,
    },
    { ...meta, correlationId: existing.orderId },
  );
  const received = await findReturnById(db, existing.id);
  if (!received) throw new Error(`return ${existing.id} vanished`);
  return received;
}
