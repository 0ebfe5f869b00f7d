import { randomUUID } from 'node:crypto';
import type { UnavailableItem } from '@fv/contracts';
import { findReservation, insertReservation, type ReservationRecord } from '../db/reservation-store.js';
import { lockLevelsOfProducts } from '../db/stock-store.js';
import type { Tx } from '../db/tx.js';
import { allocate, type UnavailableLine } from '../domain/allocation.js';
import { expiryOf } from '../domain/reservation.js';
import {
  normalizeReservationLines,
  type LineIssue,
  type RequestedLine,
} from '../domain/reservation-request.js';
import { applyItemChanges } from './apply-item-changes.js';
import { COMMIT_GRACE_MS, type EventMeta, type InventoryDeps } from './context.js';

export type ReservationFailureReason = 'INVALID_QUANTITY' | 'PRODUCT_NOT_FOUND' | 'INSUFFICIENT_STOCK';

export type ReserveResult =
  | { outcome: 'reserved'; reservation: ReservationRecord }
  /** The order already has a reservation (in whatever state); nothing was changed. */
  | { outcome: 'exists'; reservation: ReservationRecord }
  /** Nothing was reserved: a line is invalid, names an unknown product, or is short. */
  | {
      outcome: 'rejected';
      reason: ReservationFailureReason;
      message: string;
      unavailable: UnavailableLine[];
      /** For invalid lines: which line, and what is wrong with it. */
      issues: LineIssue[];
    };

export interface ReserveInput {
  /** Plain order UUID. */
  orderId: string;
  lines: readonly RequestedLine[];
  /** Lifetime of the reservation; the configured default when omitted. */
  ttlSeconds?: number;
}

/**
 * Holds stock for every line of an order, or for none. The levels of every product involved are locked
 * (in a fixed order) before the allocation is decided, each change is a conditional update that cannot
 * take a level below zero available, and the reservation, the level changes and InventoryReserved (with
 * InventoryUpdated per location and LowStockAlert where a location became low) commit together.
 */
export async function reserveStock(
  tx: Tx,
  deps: InventoryDeps,
  input: ReserveInput,
  meta: EventMeta,
): Promise<ReserveResult> {
  const normalized = normalizeReservationLines(input.lines, deps.limits.maxQuantityPerOrder);
  if (!normalized.ok) {
    const reason = normalized.issues.some((issue) => issue.problem === 'INVALID_QUANTITY')
      ? 'INVALID_QUANTITY'
      : 'PRODUCT_NOT_FOUND';
    const unavailable = normalized.issues.map((issue) => ({
      productId: issue.productId,
      warehouseId: null,
      requestedQuantity: issue.requestedQuantity,
      availableQuantity: 0,
    }));
    return {
      outcome: 'rejected',
      reason,
      issues: normalized.issues,
      unavailable,
      message: normalized.issues.map((issue) => `line ${issue.index + 1}: ${issue.message}`).join('; '),
    };
  }

  const existing = await findReservation(tx, { orderId: input.orderId });
  if (existing) return { outcome: 'exists', reservation: existing };

  const levels = await lockLevelsOfProducts(
    tx,
    normalized.lines.map((line) => line.productId),
  );
  const allocation = allocate(normalized.lines, levels);
  if (!allocation.ok) {
    return {
      outcome: 'rejected',
      reason: allocation.reason,
      issues: [],
      unavailable: allocation.unavailable,
      message: describeShortage(allocation.reason, allocation.unavailable),
    };
  }

  const now = deps.now();
  const id = randomUUID();
  const expiresAt = expiryOf(now, input.ttlSeconds ?? deps.limits.reservationTtlSeconds);
  const inserted = await insertReservation(tx, {
    id,
    orderId: input.orderId,
    createdAt: now,
    expiresAt,
    items: allocation.allocations,
  });
  if (!inserted) {
    const winner = await findReservation(tx, { orderId: input.orderId });
    if (winner) return { outcome: 'exists', reservation: winner };
    throw new Error(`order ${input.orderId} has a reservation that cannot be read`);
  }

  await applyItemChanges(
    tx,
    deps,
    allocation.allocations,
    { onHand: 0, reserved: 1, kind: 'RESERVED', changeReason: 'RESERVED', reservationId: id },
    meta,
  );
  await deps.outbox.publish(
    tx,
    'InventoryReserved',
    {
      orderId: input.orderId,
      reservationId: id,
      items: allocation.allocations,
      expiresAt: expiresAt.getTime(),
    },
    { ...meta, key: input.orderId },
  );
  const reservation = await findReservation(tx, { reservationId: id });
  if (!reservation) throw new Error(`reservation ${id} vanished inside its transaction`);
  deps.dueBy?.(new Date(Math.max(expiresAt.getTime(), now.getTime() + COMMIT_GRACE_MS)));
  return { outcome: 'reserved', reservation };
}

export function describeShortage(
  reason: ReservationFailureReason,
  lines: readonly UnavailableLine[],
): string {
  const parts = lines.map((line) => {
    const where = line.warehouseId ? ` at ${line.warehouseId}` : '';
    return `${line.productId}${where} (requested ${line.requestedQuantity}, available ${line.availableQuantity})`;
  });
  const head =
    reason === 'PRODUCT_NOT_FOUND' ? 'Some products have no stock record in inventory' : 'Not enough stock';
  return `${head}: ${parts.join(', ')}`;
}

/** The event form of unavailable lines. */
export function toUnavailableItems(lines: readonly UnavailableLine[]): UnavailableItem[] {
  return lines.map((line) => ({
    productId: line.productId,
    requestedQuantity: line.requestedQuantity,
    availableQuantity: line.availableQuantity,
  }));
}
