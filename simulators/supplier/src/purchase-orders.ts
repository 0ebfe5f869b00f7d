import { createHash, randomUUID } from 'node:crypto';
import type { Database } from '@fv/database';

export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];
type Query = Database['query'];

export const BEHAVIOURS = ['NORMAL', 'REJECT', 'UNAVAILABLE'] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

export interface PurchaseOrderRequest {
  productId: string;
  warehouseId: string;
  quantity: number;
  reference?: string | undefined;
}

type Row = {
  id: string;
  request_fingerprint: string;
  reference: string | null;
  product_id: string;
  warehouse_id: string;
  quantity: number;
  status: 'PLACED' | 'REJECTED';
  rejection_reason: string | null;
  created_at: Date;
  confirm_at: Date;
  deliver_at: Date;
};

/** A purchase order as the API shows it; its status moves on with time (PLACED → CONFIRMED → DELIVERED). */
export interface PurchaseOrderView {
  id: string;
  reference: string | null;
  productId: string;
  warehouseId: string;
  quantity: number;
  status: 'PLACED' | 'CONFIRMED' | 'DELIVERED' | 'REJECTED';
  rejectionReason: string | null;
  createdAt: string;
  expectedAt: string;
  confirmedAt: string | null;
  deliveredAt: string | null;
}

export function viewOf(row: Row, now: Date): PurchaseOrderView {
  const confirmed = row.status === 'PLACED' && now >= row.confirm_at;
  const delivered = row.status === 'PLACED' && now >= row.deliver_at;
  return {
    id: row.id,
    reference: row.reference,
    productId: row.product_id,
    warehouseId: row.warehouse_id,
    quantity: row.quantity,
    status:
      row.status === 'REJECTED' ? 'REJECTED' : delivered ? 'DELIVERED' : confirmed ? 'CONFIRMED' : 'PLACED',
    rejectionReason: row.rejection_reason,
    createdAt: row.created_at.toISOString(),
    expectedAt: row.deliver_at.toISOString(),
    confirmedAt: confirmed ? row.confirm_at.toISOString() : null,
    deliveredAt: delivered ? row.deliver_at.toISOString() : null,
  };
}

/** The same request has the same fingerprint whatever the order of its fields. */
export function fingerprintOf(request: PurchaseOrderRequest): string {
  const { productId, warehouseId, quantity, reference } = request;
  return createHash('sha256')
    .update(JSON.stringify([productId, warehouseId, quantity, reference ?? null]))
    .digest('hex');
}

export async function behaviourOf(query: Query, productId: string): Promise<Behaviour> {
  const [row] = await query<{ behaviour: Behaviour }>(
    'select behaviour from product_behaviours where product_id = $1',
    [productId],
  );
  return row?.behaviour ?? 'NORMAL';
}

export async function setBehaviour(query: Query, productId: string, behaviour: Behaviour): Promise<void> {
  await query(
    `insert into product_behaviours (product_id, behaviour) values ($1, $2)
     on conflict (product_id) do update set behaviour = excluded.behaviour, updated_at = now()`,
    [productId, behaviour],
  );
}

/** Locks the key for the transaction (a concurrent repeat waits), then finds what it already made. */
export async function orderOfKey(tx: Tx, key: string): Promise<Row | null> {
  await tx.query('select pg_advisory_xact_lock(hashtextextended($1, 8088))', [key]);
  const [row] = await tx.query<Row>('select * from purchase_orders where idempotency_key = $1', [key]);
  return row ?? null;
}

export async function insertOrder(
  tx: Tx,
  key: string,
  request: PurchaseOrderRequest,
  outcome: { rejectionReason: string | null; confirmDelayMs: number; deliveryDelayMs: number },
): Promise<Row> {
  const [row] = await tx.query<Row>(
    `insert into purchase_orders (id, idempotency_key, request_fingerprint, reference, product_id, warehouse_id,
       quantity, status, rejection_reason, confirm_at, deliver_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, now() + make_interval(secs => $10::float8 / 1000),
       now() + make_interval(secs => $11::float8 / 1000))
     returning *`,
    [
      `po_${randomUUID().replaceAll('-', '')}`,
      key,
      fingerprintOf(request),
      request.reference ?? null,
      request.productId,
      request.warehouseId,
      request.quantity,
      outcome.rejectionReason ? 'REJECTED' : 'PLACED',
      outcome.rejectionReason,
      outcome.confirmDelayMs,
      Math.max(outcome.deliveryDelayMs, outcome.confirmDelayMs),
    ],
  );
  return row!;
}

export async function findOrder(query: Query, id: string): Promise<Row | null> {
  const [row] = await query<Row>('select * from purchase_orders where id = $1', [id]);
  return row ?? null;
}

export async function ordersOfReference(query: Query, reference: string): Promise<Row[]> {
  return query<Row>('select * from purchase_orders where reference = $1 order by created_at', [reference]);
}
