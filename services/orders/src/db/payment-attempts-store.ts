import { dateOf, dateOrNull, textOrNull as text, type Row } from '@fv/database';
import { Prisma, type PaymentAttempt } from '../generated/prisma/client.js';
import type { Db, PrismaClient } from './orders-store.js';

export type AttemptRow = PaymentAttempt;
export type AttemptOperation = 'AUTHORIZE' | 'CAPTURE' | 'VOID' | 'REFUND';

export interface NewAttempt {
  id: string;
  orderId: string;
  paymentId: string;
  operation: AttemptOperation;
  idempotencyKey: string;
  amount: string | null;
  currency: string;
  context: Record<string, unknown>;
  /** When the recovery sweeper may take the call over if nobody settles it first. */
  nextAttemptAt: Date;
}

const ATTEMPT_COLUMNS = `id::text as id, order_id::text as order_id, payment_id::text as payment_id, operation,
  idempotency_key, amount::text as amount, currency, status, provider_reference, failure_code, failure_message,
  failure_retriable, provider_reason, calls, context, applied_at, next_attempt_at, retries, created_at, updated_at`;

function toAttempt(row: Row): AttemptRow {
  return {
    id: String(row.id),
    orderId: String(row.order_id),
    paymentId: String(row.payment_id),
    operation: String(row.operation),
    idempotencyKey: String(row.idempotency_key),
    amount: row.amount === null || row.amount === undefined ? null : new Prisma.Decimal(String(row.amount)),
    currency: String(row.currency),
    status: String(row.status),
    providerReference: text(row.provider_reference),
    failureCode: text(row.failure_code),
    failureMessage: text(row.failure_message),
    failureRetriable: row.failure_retriable === null ? null : Boolean(row.failure_retriable),
    providerReason: text(row.provider_reason),
    calls: Number(row.calls),
    context: row.context as Prisma.JsonValue,
    appliedAt: dateOrNull(row.applied_at),
    nextAttemptAt: dateOf(row.next_attempt_at),
    retries: Number(row.retries),
    createdAt: dateOf(row.created_at),
    updatedAt: dateOf(row.updated_at),
  };
}

/** Inserts the PENDING attempt unless its idempotency key is recorded already. */
const INSERT_INTENT = `insert into payment_attempts (id, order_id, payment_id, operation, idempotency_key, amount, currency,
    status, context, next_attempt_at)
  values ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6::numeric, $7, 'PENDING', $8::jsonb, $9::timestamptz)
  on conflict (idempotency_key) do nothing`;

function intentValues(intent: NewAttempt): unknown[] {
  return [
    intent.id,
    intent.orderId,
    intent.paymentId,
    intent.operation,
    intent.idempotencyKey,
    intent.amount,
    intent.currency,
    JSON.stringify(intent.context),
    intent.nextAttemptAt.toISOString(),
  ];
}

/**
 * Records the intent to call the provider, committed on its own (outside any open transaction), or
 * returns the attempt already recorded under the same idempotency key.
 */
export async function recordIntent(db: Db, intent: NewAttempt): Promise<AttemptRow> {
  const [inserted] = await db.$queryRawUnsafe<Row[]>(
    `${INSERT_INTENT} returning ${ATTEMPT_COLUMNS}`,
    ...intentValues(intent),
  );
  return inserted ? toAttempt(inserted) : (await findAttemptByKey(db, intent.idempotencyKey))!;
}

/**
 * Records the intent in the caller's transaction (committed with it), or leaves the one already
 * recorded under the key, making it due for the recovery sweeper at `intent.nextAttemptAt` at the latest.
 */
export async function recordIntentIn(tx: Db, intent: NewAttempt): Promise<void> {
  const inserted = await tx.$executeRawUnsafe(INSERT_INTENT, ...intentValues(intent));
  if (inserted > 0) return;
  await tx.$executeRawUnsafe(
    `update payment_attempts set next_attempt_at = $2::timestamptz, updated_at = clock_timestamp()
      where idempotency_key = $1 and applied_at is null and next_attempt_at > $2::timestamptz`,
    intent.idempotencyKey,
    intent.nextAttemptAt.toISOString(),
  );
}

export async function findAttemptByKey(db: Db, idempotencyKey: string): Promise<AttemptRow | null> {
  const [row] = await db.$queryRawUnsafe<Row[]>(
    `select ${ATTEMPT_COLUMNS} from payment_attempts where idempotency_key = $1`,
    idempotencyKey,
  );
  return row ? toAttempt(row) : null;
}

/** Records the provider's answer (committed on its own, before the answer is applied). */
export async function recordAnswer(
  db: Db,
  id: string,
  answer: {
    status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
    calls: number;
    providerReference?: string | null;
    failureCode?: string | null;
    failureMessage?: string | null;
    failureRetriable?: boolean | null;
    providerReason?: string | null;
    /** When the sweeper may take the call up (a retry after a transient failure). */
    nextAttemptAt: Date;
    /** A retry was scheduled (a transient failure): counts for the backoff. */
    retried: boolean;
  },
): Promise<AttemptRow> {
  // An absent field is left as it is; null clears it.
  const keep = (value: unknown) => (value === undefined ? 'keep' : 'set');
  const [row] = await db.$queryRawUnsafe<Row[]>(
    `update payment_attempts set status = $2, calls = calls + $3::int, next_attempt_at = $4::timestamptz,
       retries = retries + $5::int,
       provider_reference = case when $6 = 'set' then $7 else provider_reference end,
       failure_code = case when $8 = 'set' then $9 else failure_code end,
       failure_message = case when $10 = 'set' then $11 else failure_message end,
       failure_retriable = case when $12 = 'set' then $13::boolean else failure_retriable end,
       provider_reason = case when $14 = 'set' then $15 else provider_reason end,
       updated_at = clock_timestamp()
     where id = $1::uuid returning ${ATTEMPT_COLUMNS}`,
    id,
    answer.status,
    answer.calls,
    answer.nextAttemptAt.toISOString(),
    answer.retried ? 1 : 0,
    keep(answer.providerReference),
    answer.providerReference ?? null,
    keep(answer.failureCode),
    answer.failureCode ?? null,
    keep(answer.failureMessage),
    answer.failureMessage ?? null,
    keep(answer.failureRetriable),
    answer.failureRetriable ?? null,
    keep(answer.providerReason),
    answer.providerReason ?? null,
  );
  if (!row) throw new Error(`payment attempt ${id} does not exist`);
  return toAttempt(row);
}

/** The attempt's answer is reflected in the order; written in the transaction that reflects it. */
export async function markApplied(tx: Db, id: string): Promise<void> {
  await tx.$executeRawUnsafe(
    'update payment_attempts set applied_at = clock_timestamp(), updated_at = clock_timestamp() where id = $1::uuid',
    id,
  );
}

/** Saga payment calls (authorize, capture) not applied yet and due for the sweeper at `now`, most overdue first. */
/** When the next unsettled saga payment call is due for the recovery sweeper, if there is one. */
export async function nextAttemptDue(db: Db): Promise<Date | null> {
  const rows = await db.$queryRawUnsafe<Row[]>(
    `select min(next_attempt_at) as due from payment_attempts
      where applied_at is null and operation in ('AUTHORIZE', 'CAPTURE')`,
  );
  return dateOrNull(rows[0]?.due);
}

export async function dueAttempts(prisma: PrismaClient, now: Date, limit: number): Promise<AttemptRow[]> {
  const rows = await prisma.$queryRawUnsafe<Row[]>(
    `select ${ATTEMPT_COLUMNS} from payment_attempts
      where applied_at is null and next_attempt_at <= $1::timestamptz and operation in ('AUTHORIZE', 'CAPTURE')
      order by next_attempt_at limit $2::int`,
    now.toISOString(),
    limit,
  );
  return rows.map(toAttempt);
}

/**
 * Takes a due attempt for one sweep: moves its `nextAttemptAt` to `until` if nobody (another instance)
 * took it since it was read. False when someone else has it.
 */
export async function claimAttempt(
  prisma: PrismaClient,
  attempt: Pick<AttemptRow, 'id' | 'nextAttemptAt'>,
  until: Date,
): Promise<boolean> {
  const { count } = await prisma.paymentAttempt.updateMany({
    where: { id: attempt.id, appliedAt: null, nextAttemptAt: attempt.nextAttemptAt },
    data: { nextAttemptAt: until },
  });
  return count === 1;
}

/** A sweep could not settle the attempt: it is due again at `at`. */
export async function postponeAttempt(prisma: PrismaClient, id: string, at: Date): Promise<void> {
  await prisma.paymentAttempt.update({ where: { id }, data: { nextAttemptAt: at } });
}

/** Captures still waiting for the provider (not settled) that were first asked for before `since`. */
export async function countCapturesWaiting(prisma: PrismaClient, since: Date): Promise<number> {
  return prisma.paymentAttempt.count({
    where: { operation: 'CAPTURE', appliedAt: null, status: 'PENDING', createdAt: { lt: since } },
  });
}
