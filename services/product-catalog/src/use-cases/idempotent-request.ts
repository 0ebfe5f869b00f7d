import { AppError } from '@fv/service-kit';
import type { Db } from '../catalog-context.js';
import { claimIdempotencyKey, completeIdempotencyKey } from '../db/idempotency-records.js';
import { requestHash } from '../domain/idempotency.js';
import type { Prisma } from '../generated/prisma/client.js';

/** An `X-Idempotency-Key` and what it guards: the operation and caller (scope) and the request body. */
export interface IdempotencyInput {
  scope: string;
  key: string;
  body: unknown;
}

export interface Answer<T> {
  status: number;
  body: T;
  /** True when this is the stored answer to an earlier request with the same key. */
  replayed: boolean;
}

/**
 * Runs a create operation at most once per idempotency key, inside the caller's transaction: the same
 * key with the same body gets the first answer again; the same key with another body is a 409. Failed
 * attempts roll the claim back with everything else, so a corrected retry may reuse the key.
 */
export async function answerOnce<T extends object>(
  tx: Db,
  idempotency: IdempotencyInput | null,
  ttlHours: number,
  work: () => Promise<{ status: number; body: T }>,
): Promise<Answer<T>> {
  if (!idempotency) return { ...(await work()), replayed: false };
  const claim = {
    scope: idempotency.scope,
    key: idempotency.key,
    requestHash: requestHash(idempotency.body),
  };
  const outcome = await claimIdempotencyKey(tx, claim, new Date(Date.now() - ttlHours * 3_600_000));
  if (outcome.kind === 'replay') {
    if (outcome.requestHash !== claim.requestHash) {
      throw new AppError(
        'CONFLICT',
        `X-Idempotency-Key ${idempotency.key} was already used for a different request`,
        {
          details: { field: 'headers.x-idempotency-key', reason: 'IDEMPOTENCY_KEY_REUSED' },
        },
      );
    }
    return { status: outcome.status, body: outcome.body as T, replayed: true };
  }
  const answer = await work();
  // Views are plain JSON data (strings, numbers, null, arrays and objects of them).
  await completeIdempotencyKey(tx, claim, answer.status, answer.body as Prisma.InputJsonValue);
  return { ...answer, replayed: false };
}
