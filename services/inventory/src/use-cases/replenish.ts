import { randomUUID } from 'node:crypto';
import { backoffDelay } from '@fv/resilience';
import {
  changeStatus,
  lockOpenReplenishment,
  openReplenishment,
  recordAttemptFailure,
  settingOf,
  type ReplenishmentRecord,
} from '../db/replenishment-store.js';
import type { Tx } from '../db/tx.js';
import type { SupplierAnswer, SupplierOrder } from '../supplier/supplier-client.js';
import { adjustStock } from './adjust-stock.js';
import { COMMIT_GRACE_MS, type EventMeta, type InventoryDeps } from './context.js';

export const REPLENISHMENT_ACTOR = 'inventory-replenishment';

/** A location just ran low: opens its replenishment (unless one is open) with ReplenishmentRequested. */
export async function requestReplenishment(
  tx: Tx,
  deps: InventoryDeps,
  alert: { productId: string; warehouseId: string; availableQuantity: number; threshold: number },
  causationId: string | null,
): Promise<string | null> {
  const policy = deps.limits.replenishment;
  const setting = await settingOf(tx, alert.productId, alert.warehouseId);
  // Without a setting of its own, a location is replenished only when a default quantity is configured.
  if (!setting && policy.defaultReorderQuantity === 0) return null;
  const replenishment = {
    id: randomUUID(),
    productId: alert.productId,
    warehouseId: alert.warehouseId,
    quantity: setting?.reorderQuantity ?? policy.defaultReorderQuantity,
    availableQuantity: alert.availableQuantity,
    threshold: alert.threshold,
    supplierId: setting?.supplierId ?? policy.defaultSupplierId,
  };
  if (!(await openReplenishment(tx, { ...replenishment, alertEventId: causationId }))) return null;
  deps.dueBy?.(new Date(deps.now().getTime() + COMMIT_GRACE_MS));
  const { id, ...fields } = replenishment;
  await deps.outbox.publish(
    tx,
    'ReplenishmentRequested',
    { replenishmentId: id, ...fields },
    {
      correlationId: id,
      causationId,
    },
  );
  return id;
}

const metaOf = (r: ReplenishmentRecord): EventMeta => ({ correlationId: r.id, causationId: null });

/** Applies what the supplier answered to a replenishment (locked, re-read: another instance may have moved it). */
export async function applySupplierAnswer(
  tx: Tx,
  deps: InventoryDeps,
  id: string,
  answer: SupplierAnswer,
): Promise<ReplenishmentRecord['status'] | null> {
  const r = await lockOpenReplenishment(tx, id);
  if (!r) return null;
  if (answer.kind === 'rejected') return fail(tx, deps, r, 'SUPPLIER_REJECTED', answer.reason);
  if (answer.kind === 'unavailable') return unavailable(tx, deps, r, answer);
  const order = answer.order;
  if (order.status === 'REJECTED')
    return fail(tx, deps, r, 'SUPPLIER_REJECTED', order.rejectionReason ?? 'rejected');
  if (r.status === 'REQUESTED') await ordered(tx, deps, r, order);
  if (order.status === 'PLACED') return (await overdue(tx, deps, r)) ?? 'ORDERED';
  if (r.status !== 'CONFIRMED') await confirmed(tx, deps, r, order);
  if (order.status === 'CONFIRMED') return (await overdue(tx, deps, r)) ?? 'CONFIRMED';
  await received(tx, deps, r, order);
  return 'RECEIVED';
}

async function ordered(tx: Tx, deps: InventoryDeps, r: ReplenishmentRecord, order: SupplierOrder) {
  await changeStatus(tx, r.id, {
    status: 'ORDERED',
    purchaseOrderId: order.purchaseOrderId,
    nextAttemptAt: next(deps),
  });
  r.orderedAt = deps.now();
  r.purchaseOrderId = order.purchaseOrderId;
  await deps.outbox.publish(
    tx,
    'PurchaseOrderPlaced',
    {
      replenishmentId: r.id,
      purchaseOrderId: order.purchaseOrderId,
      supplierId: r.supplierId,
      productId: r.productId,
      warehouseId: r.warehouseId,
      quantity: r.quantity,
    },
    metaOf(r),
  );
}

async function confirmed(tx: Tx, deps: InventoryDeps, r: ReplenishmentRecord, order: SupplierOrder) {
  await changeStatus(tx, r.id, {
    status: 'CONFIRMED',
    expectedAt: order.expectedAt,
    nextAttemptAt: next(deps),
  });
  await deps.outbox.publish(
    tx,
    'PurchaseOrderConfirmed',
    {
      replenishmentId: r.id,
      purchaseOrderId: order.purchaseOrderId,
      supplierId: r.supplierId,
      expectedAt: order.expectedAt ? order.expectedAt.getTime() : null,
    },
    metaOf(r),
  );
}

/** The goods arrived: a RESTOCK adjustment and ReplenishmentCompleted, in this one transaction. */
async function received(tx: Tx, deps: InventoryDeps, r: ReplenishmentRecord, order: SupplierOrder) {
  const adjusted = await adjustStock(
    tx,
    deps,
    {
      productId: r.productId,
      warehouseId: r.warehouseId,
      quantityChange: order.quantity,
      reason: 'RESTOCK',
      reference: order.purchaseOrderId,
      actor: REPLENISHMENT_ACTOR,
    },
    metaOf(r),
  );
  await changeStatus(tx, r.id, { status: 'RECEIVED', nextAttemptAt: deps.now() });
  await deps.outbox.publish(
    tx,
    'ReplenishmentCompleted',
    {
      replenishmentId: r.id,
      purchaseOrderId: order.purchaseOrderId,
      productId: r.productId,
      warehouseId: r.warehouseId,
      receivedQuantity: order.quantity,
      newQuantity: adjusted.level.onHand,
    },
    metaOf(r),
  );
}

async function fail(
  tx: Tx,
  deps: InventoryDeps,
  r: ReplenishmentRecord,
  reason: 'SUPPLIER_REJECTED' | 'SUPPLIER_UNAVAILABLE' | 'TIMEOUT' | 'CANCELLED',
  details: string,
): Promise<'FAILED'> {
  await changeStatus(tx, r.id, {
    status: 'FAILED',
    failureReason: reason,
    failureDetails: details.slice(0, 2000),
    nextAttemptAt: deps.now(),
  });
  await deps.outbox.publish(
    tx,
    'ReplenishmentFailed',
    {
      replenishmentId: r.id,
      purchaseOrderId: r.purchaseOrderId,
      reason,
      reasonDetails: details.slice(0, 2000),
    },
    metaOf(r),
  );
  return 'FAILED';
}

/** Placing the order failed again: fails after the last attempt; polling a placed order fails only when overdue. */
async function unavailable(
  tx: Tx,
  deps: InventoryDeps,
  r: ReplenishmentRecord,
  answer: { timedOut: boolean; error: string },
) {
  const policy = deps.limits.replenishment;
  const attempts = await recordAttemptFailure(
    tx,
    r.id,
    answer.error,
    nextAttemptAt(deps.now(), policy.pollIntervalMs, r.attempts + 1),
  );
  if (r.status === 'REQUESTED' && attempts >= policy.maxAttempts) {
    const reason = answer.timedOut ? 'TIMEOUT' : 'SUPPLIER_UNAVAILABLE';
    return fail(
      tx,
      deps,
      r,
      reason,
      `${attempts} attempts to place the purchase order failed; last: ${answer.error}`,
    );
  }
  return (await overdue(tx, deps, r)) ?? r.status;
}

/** An ordered replenishment whose goods have not come within REPLENISHMENT_DELIVERY_TIMEOUT_MS fails (TIMEOUT). */
async function overdue(tx: Tx, deps: InventoryDeps, r: ReplenishmentRecord): Promise<'FAILED' | null> {
  if (!r.orderedAt) return null;
  const waited = deps.now().getTime() - new Date(r.orderedAt).getTime();
  if (waited <= deps.limits.replenishment.deliveryTimeoutMs) return null;
  return fail(
    tx,
    deps,
    r,
    'TIMEOUT',
    `the goods did not arrive within ${deps.limits.replenishment.deliveryTimeoutMs} ms`,
  );
}

const next = (deps: InventoryDeps) =>
  new Date(deps.now().getTime() + deps.limits.replenishment.pollIntervalMs);

/** The longest wait between two calls to the supplier. */
const MAX_BACKOFF_MS = 60_000;

/**
 * When to call the supplier again after `failedAttempts` failed calls: exponential backoff from the
 * poll interval (one interval after the first failure, then doubling), at most a minute. Without
 * jitter: the time is stored as the row's `next_attempt_at` and read there.
 */
export function nextAttemptAt(now: Date, pollIntervalMs: number, failedAttempts: number): Date {
  const delay = backoffDelay(failedAttempts - 1, {
    initialMs: pollIntervalMs,
    maxMs: MAX_BACKOFF_MS,
    jitter: 'none',
  });
  return new Date(now.getTime() + delay);
}
