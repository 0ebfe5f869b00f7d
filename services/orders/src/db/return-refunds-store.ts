import { dateOrNull, textOrNull as text, type Row } from '@fv/database';
import type { Db } from './orders-store.js';

export type ReturnRefundStatus = 'PENDING' | 'REFUNDED' | 'FAILED' | 'NOTHING_TO_REFUND';

export interface ReturnRefundRow {
  returnId: string;
  orderId: string;
  amount: string;
  currency: string;
  status: ReturnRefundStatus;
  attempts: number;
  keySequence: number;
  nextAttemptAt: Date | null;
  refundId: string | null;
  lastErrorCode: string | null;
}

const COLUMNS = `return_id::text as return_id, order_id::text as order_id, amount::text as amount, currency, status,
  attempts, key_sequence, next_attempt_at, refund_id::text as refund_id, last_error_code`;

function toRow(row: Record<string, unknown>): ReturnRefundRow {
  return {
    returnId: String(row.return_id),
    orderId: String(row.order_id),
    amount: String(row.amount),
    currency: String(row.currency).trim(),
    status: String(row.status) as ReturnRefundStatus,
    attempts: Number(row.attempts),
    keySequence: Number(row.key_sequence),
    nextAttemptAt: dateOrNull(row.next_attempt_at),
    refundId: text(row.refund_id),
    lastErrorCode: text(row.last_error_code),
  };
}

/** Records the return's refund once; a return seen before keeps its row (false). */
export async function insertReturnRefund(
  db: Db,
  refund: {
    returnId: string;
    orderId: string;
    amount: string;
    currency: string;
    items: unknown;
    status: ReturnRefundStatus;
  },
): Promise<boolean> {
  const inserted = await db.$executeRawUnsafe(
    `insert into return_refunds (return_id, order_id, amount, currency, items, status, created_at, updated_at)
     values ($1::uuid, $2::uuid, $3::numeric, $4, $5::jsonb, $6, clock_timestamp(), clock_timestamp())
     on conflict (return_id) do nothing`,
    refund.returnId,
    refund.orderId,
    refund.amount,
    refund.currency,
    JSON.stringify(refund.items),
    refund.status,
  );
  return inserted > 0;
}

/** The return's refund, locked for the transaction. */
export async function lockReturnRefund(db: Db, returnId: string): Promise<ReturnRefundRow | null> {
  const rows = await db.$queryRawUnsafe<Record<string, unknown>[]>(
    `select ${COLUMNS} from return_refunds where return_id = $1::uuid for update`,
    returnId,
  );
  return rows[0] ? toRow(rows[0]) : null;
}

export async function updateReturnRefund(
  db: Db,
  returnId: string,
  change: {
    status: ReturnRefundStatus;
    attempts: number;
    keySequence: number;
    nextAttemptAt: Date | null;
    refundId?: string | null;
    error?: { code: string; message: string } | null;
  },
): Promise<void> {
  await db.$executeRawUnsafe(
    `update return_refunds set status = $2, attempts = $3, key_sequence = $4, next_attempt_at = $5::timestamptz,
       refund_id = coalesce($6::uuid, refund_id), last_error_code = $7, last_error_message = $8,
       updated_at = clock_timestamp()
     where return_id = $1::uuid`,
    returnId,
    change.status,
    change.attempts,
    change.keySequence,
    change.nextAttemptAt?.toISOString() ?? null,
    change.refundId ?? null,
    change.error?.code ?? null,
    change.error?.message ?? null,
  );
}

/** Return refunds whose next attempt is due, oldest first. */
/** When the next pending return refund is due for an attempt, if one is pending. */
export async function nextReturnRefundDue(db: Db): Promise<Date | null> {
  const rows = await db.$queryRawUnsafe<Row[]>(
    `select min(next_attempt_at) as due from return_refunds where status = 'PENDING'`,
  );
  return dateOrNull(rows[0]?.due);
}

export async function dueReturnRefunds(db: Db, now: Date, limit: number): Promise<string[]> {
  const rows = await db.$queryRawUnsafe<{ return_id: string }[]>(
    `select return_id::text as return_id from return_refunds
     where status = 'PENDING' and next_attempt_at <= $1::timestamptz order by next_attempt_at limit $2`,
    now.toISOString(),
    limit,
  );
  return rows.map((row) => row.return_id);
}
