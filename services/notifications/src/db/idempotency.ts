import { createHash } from 'node:crypto';
import { AppError } from '@fv/service-kit';
import type { Db } from './client.js';

export interface IdempotentRequest {
  /** Who asks (the token subject): keys of different callers never collide. */
  scope: string;
  key: string;
  /** The operation, e.g. `POST /returns`: a key reused for another operation is a conflict. */
  operation: string;
  body: unknown;
}

export interface IdempotentResponse<T> {
  statusCode: number;
  body: T;
  replayed: boolean;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * Runs `create` once per (caller, key) inside the caller's transaction: the same key with the same body
 * returns the first response again, the same key with another body is 409 CONFLICT. Concurrent requests
 * with one key wait for each other (a transaction-scoped advisory lock), so only one of them creates.
 */
export async function idempotently<T>(
  db: Db,
  request: IdempotentRequest | null,
  create: () => Promise<{ statusCode: number; body: T }>,
): Promise<IdempotentResponse<T>> {
  if (!request) return { ...(await create()), replayed: false };
  const requestHash = createHash('sha256')
    .update(`${request.operation}\n${canonical(request.body)}`)
    .digest('hex');
  await db.$queryRawUnsafe(
    'select 1 as locked from (select pg_advisory_xact_lock(hashtextextended($1, 0))) as lock',
    `${request.scope}\n${request.key}`,
  );
  const previous = await db.idempotencyRecord.findUnique({
    where: { scope_key: { scope: request.scope, key: request.key } },
  });
  if (previous) {
    if (previous.requestHash !== requestHash) {
      throw new AppError('CONFLICT', 'X-Idempotency-Key was already used for a different request', {
        details: { reason: 'IDEMPOTENCY_KEY_REUSED', idempotencyKey: request.key },
      });
    }
    return { statusCode: previous.statusCode, body: previous.response as T, replayed: true };
  }
  const result = await create();
  await db.idempotencyRecord.create({
    data: {
      scope: request.scope,
      key: request.key,
      operation: request.operation,
      requestHash,
      statusCode: result.statusCode,
      response: result.body as object,
    },
  });
  return { ...result, replayed: false };
}
