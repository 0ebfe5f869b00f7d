import type { Db } from '../catalog-context.js';
import type { Prisma } from '../generated/prisma/client.js';

export interface IdempotencyClaim {
  /** The operation and the caller, e.g. `POST /products:admin-1`. */
  scope: string;
  key: string;
  requestHash: string;
}

export type ClaimOutcome =
  { kind: 'claimed' } | { kind: 'replay'; requestHash: string; status: number; body: Prisma.JsonValue };

/**
 * Claims `key` for this request inside the caller's transaction. A concurrent request with the same
 * key waits on the primary key until this transaction ends, then sees its answer. A record older than
 * `expiresBefore` no longer counts.
 */
export async function claimIdempotencyKey(
  db: Db,
  claim: IdempotencyClaim,
  expiresBefore: Date,
): Promise<ClaimOutcome> {
  await db.idempotencyRecord.deleteMany({
    where: { scope: claim.scope, key: claim.key, createdAt: { lt: expiresBefore } },
  });
  const inserted = await db.$executeRaw`
    insert into idempotency_records (scope, key, request_hash)
    values (${claim.scope}, ${claim.key}, ${claim.requestHash})
    on conflict (scope, key) do nothing`;
  if (inserted === 1) return { kind: 'claimed' };
  const record = await db.idempotencyRecord.findUniqueOrThrow({
    where: { scope_key: { scope: claim.scope, key: claim.key } },
  });
  return {
    kind: 'replay',
    requestHash: record.requestHash,
    status: record.responseStatus ?? 200,
    body: record.responseBody ?? null,
  };
}

/** Stores the answer to replay, in the transaction that claimed the key. */
export async function completeIdempotencyKey(
  db: Db,
  claim: IdempotencyClaim,
  status: number,
  body: Prisma.InputJsonValue,
): Promise<void> {
  await db.idempotencyRecord.update({
    where: { scope_key: { scope: claim.scope, key: claim.key } },
    data: { responseStatus: status, responseBody: body },
  });
}

export async function purgeIdempotencyRecords(db: Db, createdBefore: Date): Promise<number> {
  const { count } = await db.idempotencyRecord.deleteMany({ where: { createdAt: { lt: createdBefore } } });
  return count;
}
