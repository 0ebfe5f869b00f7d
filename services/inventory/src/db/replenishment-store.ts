import { dateOrNull } from '@fv/database';
import type { Tx } from './tx.js';

export const OPEN_STATUSES = ['REQUESTED', 'ORDERED', 'CONFIRMED'] as const;
export const REPLENISHMENT_STATUSES = [...OPEN_STATUSES, 'RECEIVED', 'FAILED'] as const;
export type ReplenishmentStatus = (typeof REPLENISHMENT_STATUSES)[number];

export interface ReplenishmentRecord {
  id: string;
  productId: string;
  warehouseId: string;
  quantity: number;
  availableQuantity: number;
  threshold: number;
  supplierId: string;
  status: ReplenishmentStatus;
  purchaseOrderId: string | null;
  expectedAt: Date | null;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date;
  failureReason: string | null;
  failureDetails: string | null;
  createdAt: Date;
  orderedAt: Date | null;
  confirmedAt: Date | null;
  closedAt: Date | null;
}

export interface ReplenishmentSetting {
  productId: string;
  warehouseId: string;
  reorderQuantity: number;
  supplierId: string;
}

const COLUMNS = `id::text as "id", product_id::text as "productId", warehouse_id as "warehouseId", quantity,
  available_quantity as "availableQuantity", threshold, supplier_id as "supplierId", status,
  purchase_order_id as "purchaseOrderId", expected_at as "expectedAt", attempts, last_error as "lastError",
  next_attempt_at as "nextAttemptAt", failure_reason as "failureReason", failure_details as "failureDetails",
  created_at as "createdAt", ordered_at as "orderedAt", confirmed_at as "confirmedAt", closed_at as "closedAt"`;
const OPEN = `status in ('REQUESTED', 'ORDERED', 'CONFIRMED')`;

export async function settingOf(tx: Tx, productId: string, warehouseId: string) {
  const rows = await tx.$queryRawUnsafe<ReplenishmentSetting[]>(
    `select product_id::text as "productId", warehouse_id as "warehouseId", reorder_quantity as "reorderQuantity",
       supplier_id as "supplierId" from replenishment_settings where product_id = $1::uuid and warehouse_id = $2`,
    productId,
    warehouseId,
  );
  return rows[0] ?? null;
}

export async function saveSetting(tx: Tx, setting: ReplenishmentSetting): Promise<void> {
  await tx.$executeRawUnsafe(
    `insert into replenishment_settings (product_id, warehouse_id, reorder_quantity, supplier_id, updated_at)
     values ($1::uuid, $2, $3::int, $4, now())
     on conflict (product_id, warehouse_id) do update
       set reorder_quantity = excluded.reorder_quantity, supplier_id = excluded.supplier_id, updated_at = now()`,
    setting.productId,
    setting.warehouseId,
    setting.reorderQuantity,
    setting.supplierId,
  );
}

/**
 * Opens a replenishment unless the location already has an open one (the partial unique index decides,
 * so concurrent alerts cannot open two); returns whether it was opened.
 */
export async function openReplenishment(
  tx: Tx,
  r: Pick<
    ReplenishmentRecord,
    'id' | 'productId' | 'warehouseId' | 'quantity' | 'availableQuantity' | 'threshold' | 'supplierId'
  > & { alertEventId: string | null },
): Promise<boolean> {
  const inserted = await tx.$executeRawUnsafe(
    `insert into replenishments (id, product_id, warehouse_id, quantity, available_quantity, threshold, supplier_id,
       status, alert_event_id)
     values ($1::uuid, $2::uuid, $3, $4::int, $5::int, $6::int, $7, 'REQUESTED', $8::uuid)
     on conflict (product_id, warehouse_id) where ${OPEN} do nothing`,
    r.id,
    r.productId,
    r.warehouseId,
    r.quantity,
    r.availableQuantity,
    r.threshold,
    r.supplierId,
    r.alertEventId,
  );
  return inserted > 0;
}

export async function findReplenishment(tx: Tx, id: string): Promise<ReplenishmentRecord | null> {
  const rows = await tx.$queryRawUnsafe<ReplenishmentRecord[]>(
    `select ${COLUMNS} from replenishments where id = $1::uuid`,
    id,
  );
  return rows[0] ?? null;
}

/** Locks an open replenishment for a change of state; null when it is closed (or unknown). */
export async function lockOpenReplenishment(tx: Tx, id: string): Promise<ReplenishmentRecord | null> {
  const rows = await tx.$queryRawUnsafe<ReplenishmentRecord[]>(
    `select ${COLUMNS} from replenishments where id = $1::uuid and ${OPEN} for update`,
    id,
  );
  return rows[0] ?? null;
}

/**
 * Takes open replenishments due for work and pushes their next attempt `leaseMs` away, so another
 * instance (or the next sweep) leaves them alone while this one talks to the supplier.
 */
/** When the next open replenishment is due for a step, if one is open. */
export async function nextReplenishmentDue(tx: Tx): Promise<Date | null> {
  const rows = await tx.$queryRawUnsafe<{ due: Date | null }[]>(
    `select min(next_attempt_at) as due from replenishments where ${OPEN}`,
  );
  return dateOrNull(rows[0]?.due);
}

export async function claimDue(
  tx: Tx,
  now: Date,
  leaseMs: number,
  limit: number,
): Promise<ReplenishmentRecord[]> {
  return tx.$queryRawUnsafe<ReplenishmentRecord[]>(
    `update replenishments set next_attempt_at = $1::timestamptz + make_interval(secs => $2::float8 / 1000)
     where id in (select id from replenishments where ${OPEN} and next_attempt_at <= $1::timestamptz
                  order by next_attempt_at limit $3::int for update skip locked)
     returning ${COLUMNS}`,
    now,
    leaseMs,
    limit,
  );
}

export interface StatusChange {
  status: ReplenishmentStatus;
  purchaseOrderId?: string | null;
  expectedAt?: Date | null;
  failureReason?: string | null;
  failureDetails?: string | null;
  nextAttemptAt: Date;
}

/** Moves a locked replenishment to a new status; the failed attempts start again from zero. */
export async function changeStatus(tx: Tx, id: string, change: StatusChange): Promise<void> {
  await tx.$executeRawUnsafe(
    `update replenishments set status = $2::varchar, attempts = 0, last_error = null, next_attempt_at = $3::timestamptz,
       purchase_order_id = coalesce($4::varchar, purchase_order_id), expected_at = coalesce($5::timestamptz, expected_at),
       failure_reason = $6::varchar, failure_details = $7::text,
       ordered_at = case when $2::varchar = 'ORDERED' then now() else ordered_at end,
       confirmed_at = case when $2::varchar = 'CONFIRMED' then now() else confirmed_at end,
       closed_at = case when $2::varchar in ('RECEIVED', 'FAILED') then now() else null end
     where id = $1::uuid`,
    id,
    change.status,
    change.nextAttemptAt,
    change.purchaseOrderId ?? null,
    change.expectedAt ?? null,
    change.failureReason ?? null,
    change.failureDetails ?? null,
  );
}

/** Records a failed call to the supplier; returns the attempts so far. */
export async function recordAttemptFailure(
  tx: Tx,
  id: string,
  error: string,
  nextAttemptAt: Date,
): Promise<number> {
  const rows = await tx.$queryRawUnsafe<{ attempts: number }[]>(
    `update replenishments set attempts = attempts + 1, last_error = $2::text, next_attempt_at = $3::timestamptz
     where id = $1::uuid returning attempts`,
    id,
    error.slice(0, 2000),
    nextAttemptAt,
  );
  return rows[0]?.attempts ?? 0;
}

export async function listReplenishments(
  tx: Tx,
  filter: {
    status: string | null;
    productId: string | null;
    warehouseId: string | null;
    limit: number;
    offset: number;
  },
): Promise<{ items: ReplenishmentRecord[]; total: number }> {
  const where = `where ($1::text is null or status = $1) and ($2::uuid is null or product_id = $2::uuid)
    and ($3::text is null or warehouse_id = $3)`;
  const params = [filter.status, filter.productId, filter.warehouseId];
  const items = await tx.$queryRawUnsafe<ReplenishmentRecord[]>(
    `select ${COLUMNS} from replenishments ${where} order by created_at desc, id limit $4::int offset $5::int`,
    ...params,
    filter.limit,
    filter.offset,
  );
  const [count] = await tx.$queryRawUnsafe<{ total: number }[]>(
    `select count(*)::int as total from replenishments ${where}`,
    ...params,
  );
  return { items, total: count?.total ?? 0 };
}

/** Records a returned product line as restocked; false when this return already restocked it. */
export async function recordReturnRestock(
  tx: Tx,
  line: { returnId: string; productId: string; warehouseId: string; quantity: number },
): Promise<boolean> {
  const inserted = await tx.$executeRawUnsafe(
    `insert into return_restocks (return_id, product_id, warehouse_id, quantity) values ($1, $2::uuid, $3, $4::int)
     on conflict do nothing`,
    line.returnId,
    line.productId,
    line.warehouseId,
    line.quantity,
  );
  return inserted > 0;
}

/** The location an order's product was reserved (and shipped) from, if inventory reserved it. */
export async function shippedFrom(tx: Tx, orderId: string, productId: string): Promise<string | null> {
  const rows = await tx.$queryRawUnsafe<{ warehouse_id: string }[]>(
    `select i.warehouse_id from reservations r join reservation_items i on i.reservation_id = r.id
     where r.order_id = $1::uuid and i.product_id = $2::uuid order by i.quantity desc limit 1`,
    orderId,
    productId,
  );
  return rows[0]?.warehouse_id ?? null;
}
