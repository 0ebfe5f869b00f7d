import { randomUUID } from 'node:crypto';
import { MAX_UNITS_AT_LOCATION, type StockLevelState } from '../domain/stock.js';
import type { Tx } from './tx.js';

export interface StockLevelRecord extends StockLevelState {
  updatedAt: Date;
}

interface StockRow {
  product_id: string;
  warehouse_id: string;
  on_hand: number;
  reserved: number;
  low_stock_threshold: number;
  updated_at: Date;
}

const COLUMNS = 'product_id, warehouse_id, on_hand, reserved, low_stock_threshold, updated_at';

function toRecord(row: StockRow): StockLevelRecord {
  return {
    productId: row.product_id,
    warehouseId: row.warehouse_id,
    onHand: Number(row.on_hand),
    reserved: Number(row.reserved),
    lowStockThreshold: Number(row.low_stock_threshold),
    updatedAt: new Date(row.updated_at),
  };
}

/**
 * Every level of the given products, locked for the rest of the transaction. Rows are locked in one
 * fixed order (product, then location), so two transactions locking overlapping products wait for
 * each other instead of deadlocking.
 */
export async function lockLevelsOfProducts(
  tx: Tx,
  productIds: readonly string[],
): Promise<StockLevelRecord[]> {
  if (productIds.length === 0) return [];
  const ids = [...new Set(productIds)].sort();
  const placeholders = ids.map((_, i) => `$${i + 1}::uuid`).join(', ');
  const rows = await tx.$queryRawUnsafe<StockRow[]>(
    `select ${COLUMNS} from stock_levels where product_id in (${placeholders})
     order by product_id, warehouse_id for update`,
    ...ids,
  );
  return rows.map(toRecord);
}

/** One level, locked for the rest of the transaction; null when the product has no stock there. */
export async function lockLevel(
  tx: Tx,
  productId: string,
  warehouseId: string,
): Promise<StockLevelRecord | null> {
  const rows = await tx.$queryRawUnsafe<StockRow[]>(
    `select ${COLUMNS} from stock_levels where product_id = $1::uuid and warehouse_id = $2 for update`,
    productId,
    warehouseId,
  );
  return rows[0] ? toRecord(rows[0]) : null;
}

/**
 * Changes a level in one conditional statement: the update applies only when the result keeps
 * 0 <= reserved <= on_hand, so no interleaving of transactions can oversell. Null when it would not.
 */
export async function changeLevel(
  tx: Tx,
  change: { productId: string; warehouseId: string; onHand: number; reserved: number },
): Promise<StockLevelRecord | null> {
  const rows = await tx.$queryRawUnsafe<StockRow[]>(
    `update stock_levels
        set on_hand = on_hand + $3::bigint, reserved = reserved + $4::bigint, updated_at = now()
      where product_id = $1::uuid and warehouse_id = $2
        and on_hand + $3::bigint >= 0
        and on_hand + $3::bigint <= ${MAX_UNITS_AT_LOCATION}
        and reserved + $4::bigint >= 0
        and reserved + $4::bigint <= on_hand + $3::bigint
      returning ${COLUMNS}`,
    change.productId,
    change.warehouseId,
    change.onHand,
    change.reserved,
  );
  return rows[0] ? toRecord(rows[0]) : null;
}

/** Creates a level unless the location already has one; returns whether it was created. */
export async function insertLevel(
  tx: Tx,
  level: { productId: string; warehouseId: string; onHand: number; lowStockThreshold: number },
): Promise<boolean> {
  const inserted = await tx.$executeRawUnsafe(
    `insert into stock_levels (product_id, warehouse_id, on_hand, reserved, low_stock_threshold, updated_at)
     values ($1::uuid, $2, $3::int, 0, $4::int, now()) on conflict do nothing`,
    level.productId,
    level.warehouseId,
    level.onHand,
    level.lowStockThreshold,
  );
  return inserted > 0;
}

/** Sets the units on hand and the threshold of a locked level (the caller checked on_hand >= reserved). */
export async function setLevel(
  tx: Tx,
  level: { productId: string; warehouseId: string; onHand: number; lowStockThreshold: number },
): Promise<StockLevelRecord> {
  const rows = await tx.$queryRawUnsafe<StockRow[]>(
    `update stock_levels set on_hand = $3::int, low_stock_threshold = $4::int, updated_at = now()
      where product_id = $1::uuid and warehouse_id = $2 returning ${COLUMNS}`,
    level.productId,
    level.warehouseId,
    level.onHand,
    level.lowStockThreshold,
  );
  if (!rows[0])
    throw new Error(`stock level ${level.productId}@${level.warehouseId} vanished inside its transaction`);
  return toRecord(rows[0]);
}

/**
 * Reads a 64-bit figure computed by the database (a bigint arrives as a string or a bigint), refusing one
 * a JavaScript number cannot hold exactly rather than rounding it.
 */
export function exactCount(value: unknown, what: string): number {
  if (value === null || value === undefined) return 0;
  const count = typeof value === 'number' ? value : Number(String(value));
  if (!Number.isSafeInteger(count)) throw new Error(`${what} is not an exact integer: ${String(value)}`);
  return count;
}

/**
 * Units available for a product across all its locations. Summed as a 64-bit integer: each location
 * holds up to a 32-bit count, so a few of them near the maximum already exceed 32 bits.
 */
export async function totalAvailable(tx: Tx, productId: string): Promise<number> {
  const rows = await tx.$queryRawUnsafe<{ total: unknown }[]>(
    'select coalesce(sum((on_hand - reserved)::bigint), 0)::bigint::text as total from stock_levels where product_id = $1::uuid',
    productId,
  );
  return exactCount(rows[0]?.total, `units available of ${productId}`);
}

export async function levelsOfProduct(tx: Tx, productId: string): Promise<StockLevelRecord[]> {
  const rows = await tx.$queryRawUnsafe<StockRow[]>(
    `select ${COLUMNS} from stock_levels where product_id = $1::uuid order by warehouse_id`,
    productId,
  );
  return rows.map(toRecord);
}

/** Locations at or below their low-stock threshold, least available first. */
export async function lowStockLevels(
  tx: Tx,
  filter: { warehouseId: string | null; limit: number; offset: number },
): Promise<{ total: number; levels: StockLevelRecord[] }> {
  const where = `on_hand - reserved <= low_stock_threshold and ($1::varchar is null or warehouse_id = $1::varchar)`;
  const [count] = await tx.$queryRawUnsafe<{ total: unknown }[]>(
    `select count(*)::text as total from stock_levels where ${where}`,
    filter.warehouseId,
  );
  const rows = await tx.$queryRawUnsafe<StockRow[]>(
    `select ${COLUMNS} from stock_levels where ${where}
      order by on_hand - reserved, product_id, warehouse_id limit $2::int offset $3::int`,
    filter.warehouseId,
    filter.limit,
    filter.offset,
  );
  return { total: exactCount(count?.total, 'low-stock locations'), levels: rows.map(toRecord) };
}

export type MovementKind = 'ADJUSTED' | 'RESERVED' | 'RELEASED' | 'DEDUCTED';

/** Records a change to a level in the audit trail; returns the movement id. */
export async function recordMovement(
  tx: Tx,
  movement: {
    kind: MovementKind;
    after: StockLevelState;
    onHandChange: number;
    reservedChange: number;
    reason?: string | null;
    reference?: string | null;
    reservationId?: string | null;
    actor?: string | null;
  },
): Promise<string> {
  const id = randomUUID();
  await tx.$executeRawUnsafe(
    `insert into stock_movements (id, product_id, warehouse_id, kind, on_hand_change, reserved_change, on_hand_after,
       reserved_after, reason, reference, reservation_id, actor)
     values ($1::uuid, $2::uuid, $3, $4, $5::int, $6::int, $7::int, $8::int, $9, $10, $11::uuid, $12)`,
    id,
    movement.after.productId,
    movement.after.warehouseId,
    movement.kind,
    movement.onHandChange,
    movement.reservedChange,
    movement.after.onHand,
    movement.after.reserved,
    movement.reason ?? null,
    movement.reference ?? null,
    movement.reservationId ?? null,
    movement.actor ?? null,
  );
  return id;
}
