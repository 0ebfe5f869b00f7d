import type { Prisma } from '../generated/prisma/client.js';
import type { Tx } from './tx.js';

/**
 * Claims `key` in `scope` for a request with body hash `requestHash`. The first caller inserts the row
 * (in its transaction: a rollback frees the key again); a concurrent caller waits on the row until the
 * first commits or rolls back.
 */
export async function claimIdempotencyKey(
  tx: Tx,
  scope: string,
  key: string,
  requestHash: string,
): Promise<boolean> {
  const inserted = await tx.$executeRawUnsafe(
    `insert into idempotency_keys (scope, key, request_hash) values ($1, $2, $3) on conflict do nothing`,
    scope,
    key,
    requestHash,
  );
  return inserted > 0;
}

export async function findIdempotencyKey(tx: Tx, scope: string, key: string) {
  return tx.idempotencyKey.findUnique({ where: { scope_key: { scope, key } } });
}

export async function completeIdempotencyKey(
  tx: Tx,
  scope: string,
  key: string,
  outcome: { statusCode: number; body: unknown },
): Promise<void> {
  await tx.idempotencyKey.update({
    where: { scope_key: { scope, key } },
    data: { statusCode: outcome.statusCode, responseBody: outcome.body as Prisma.InputJsonValue },
  });
}

/** Forgets outcomes older than `before`; returns how many. */
export async function purgeIdempotencyKeys(tx: Tx, before: Date): Promise<number> {
  const { count } = await tx.idempotencyKey.deleteMany({ where: { createdAt: { lt: before } } });
  return count;
}
