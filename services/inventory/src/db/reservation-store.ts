import { dateOrNull } from '@fv/database';
import type { Allocation } from '../domain/allocation.js';
import type { ReleaseReason, ReservationStatus } from '../domain/reservation.js';
import type { Tx } from './tx.js';

export interface ReservationRecord {
  id: string;
  orderId: string;
  status: ReservationStatus;
  expiresAt: Date;
  releaseReason: ReleaseReason | null;
  createdAt: Date;
  confirmedAt: Date | null;
  releasedAt: Date | null;
  deductedAt: Date | null;
  /** Sorted by product, then location: the order stock rows are locked in. */
  items: Allocation[];
}

type Row = {
  id: string;
  order_id: string;
  status: string;
  expires_at: Date;
  release_reason: string | null;
  created_at: Date;
  confirmed_at: Date | null;
  released_at: Date | null;
  deducted_at: Date | null;
};

const date = (value: Date | string | null) => (value === null ? null : new Date(value));

async function withItems(tx: Tx, row: Row): Promise<ReservationRecord> {
  const items = await tx.$queryRawUnsafe<{ product_id: string; warehouse_id: string; quantity: number }[]>(
    `select product_id::text as product_id, warehouse_id, quantity from reservation_items
      where reservation_id = $1::uuid order by product_id, warehouse_id`,
    row.id,
  );
  return {
    id: row.id,
    orderId: row.order_id,
    status: row.status as ReservationStatus,
    expiresAt: new Date(row.expires_at),
    releaseReason: row.release_reason as ReleaseReason | null,
    createdAt: new Date(row.created_at),
    confirmedAt: date(row.confirmed_at),
    releasedAt: date(row.released_at),
    deductedAt: date(row.deducted_at),
    items: items.map((item) => ({
      productId: item.product_id,
      warehouseId: item.warehouse_id,
      quantity: Number(item.quantity),
    })),
  };
}

export type ReservationKey = { reservationId: string } | { orderId: string };

/**
 * The reservation with its items, its row locked for the rest of the transaction (so a release, a
 * deduction and the expiry sweep of the same reservation run one after the other).
 */
export async function lockReservation(tx: Tx, by: ReservationKey): Promise<ReservationRecord | null> {
  const [column, value] = 'reservationId' in by ? ['id', by.reservationId] : ['order_id', by.orderId];
  const rows = await tx.$queryRawUnsafe<Row[]>(
    `select * from reservations where ${column} = $1::uuid for update`,
    value,
  );
  return rows[0] ? withItems(tx, rows[0]) : null;
}

export async function findReservation(tx: Tx, by: ReservationKey): Promise<ReservationRecord | null> {
  const [column, value] = 'reservationId' in by ? ['id', by.reservationId] : ['order_id', by.orderId];
  const rows = await tx.$queryRawUnsafe<Row[]>(
    `select * from reservations where ${column} = $1::uuid`,
    value,
  );
  return rows[0] ? withItems(tx, rows[0]) : null;
}

/** Stores a new ACTIVE reservation; false when the order already has one (nothing is written then). */
export async function insertReservation(
  tx: Tx,
  reservation: {
    id: string;
    orderId: string;
    createdAt: Date;
    expiresAt: Date;
    items: readonly Allocation[];
  },
): Promise<boolean> {
  const inserted = await tx.$executeRawUnsafe(
    `insert into reservations (id, order_id, status, expires_at, created_at)
     values ($1::uuid, $2::uuid, 'ACTIVE', $3::timestamptz, $4::timestamptz) on conflict (order_id) do nothing`,
    reservation.id,
    reservation.orderId,
    reservation.expiresAt.toISOString(),
    reservation.createdAt.toISOString(),
  );
  if (inserted === 0) return false;
  await tx.$executeRawUnsafe(
    `insert into reservation_items (reservation_id, product_id, warehouse_id, quantity)
     select $1::uuid, v.product_id, v.warehouse_id, v.quantity
       from jsonb_to_recordset($2::jsonb) as v(product_id uuid, warehouse_id varchar, quantity int)`,
    reservation.id,
    JSON.stringify(
      reservation.items.map((item) => ({
        product_id: item.productId,
        warehouse_id: item.warehouseId,
        quantity: item.quantity,
      })),
    ),
  );
  return true;
}

export async function markReleased(tx: Tx, id: string, reason: ReleaseReason, at: Date): Promise<void> {
  await tx.$executeRawUnsafe(
    `update reservations set status = 'RELEASED', release_reason = $2, released_at = $3::timestamptz where id = $1::uuid`,
    id,
    reason,
    at.toISOString(),
  );
}

export async function markConfirmed(tx: Tx, id: string, at: Date): Promise<void> {
  await tx.$executeRawUnsafe(
    `update reservations set status = 'CONFIRMED', confirmed_at = $2::timestamptz where id = $1::uuid`,
    id,
    at.toISOString(),
  );
}

export async function markDeducted(tx: Tx, id: string, at: Date): Promise<void> {
  await tx.$executeRawUnsafe(
    `update reservations set status = 'DEDUCTED', deducted_at = $2::timestamptz where id = $1::uuid`,
    id,
    at.toISOString(),
  );
}

/** When the next active reservation lapses, if one is active. */
export async function nextReservationLapse(tx: Tx): Promise<Date | null> {
  const rows = await tx.$queryRawUnsafe<{ due: Date | null }[]>(
    `select min(expires_at) as due from reservations where status = 'ACTIVE'`,
  );
  return dateOrNull(rows[0]?.due);
}

/** Ids of ACTIVE reservations that lapsed at `now`, oldest first. */
export async function lapsedReservationIds(tx: Tx, now: Date, limit: number): Promise<string[]> {
  const rows = await tx.$queryRawUnsafe<{ id: string }[]>(
    `select id::text as id from reservations where status = 'ACTIVE' and expires_at <= $1::timestamptz
      order by expires_at limit $2::int`,
    now.toISOString(),
    limit,
  );
  return rows.map((row) => row.id);
}
