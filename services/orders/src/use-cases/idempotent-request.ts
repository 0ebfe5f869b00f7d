import { createHash } from 'node:crypto';
import { AppError } from '@fv/service-kit';
import { findStoredResponse, storeResponse, type IdempotencyScope } from '../db/idempotency-store.js';
import type { Db } from '../db/orders-store.js';
import type { OrdersDeps } from './orders-deps.js';

export interface IdempotentResult<T> {
  status: number;
  body: T;
  /** True when this is the stored answer to an earlier request with the same key. */
  replayed: boolean;
}

/** Serializes with object keys sorted, so the same body always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function requestHash(body: unknown): string {
  return createHash('sha256')
    .update(canonicalJson(body ?? null))
    .digest('hex');
}

function isUniqueViolation(error: unknown): boolean {
  const candidate = error as { code?: unknown; message?: unknown } | null;
  return (
    candidate?.code === 'P2002' ||
    (typeof candidate?.message === 'string' && /unique constraint/i.test(candidate.message))
  );
}

function replayOrConflict<T>(
  stored: { requestHash: string; responseStatus: number; responseBody: unknown },
  hash: string,
  key: string,
): IdempotentResult<T> {
  if (stored.requestHash !== hash) {
    throw new AppError(
      'CONFLICT',
      `Idempotency key "${key}" was already used with a different request body`,
      {
        details: { field: 'headers.x-idempotency-key', reason: 'IDEMPOTENCY_KEY_REUSED' },
      },
    );
  }
  return { status: stored.responseStatus, body: stored.responseBody as T, replayed: true };
}

/**
 * Runs `work` in a transaction once per idempotency key: its answer is stored with the state change,
 * a later request with the same key and body gets the stored answer, and one with another body is a
 * 409. Without a key, `work` simply runs. Rejected requests store nothing, so they can be corrected
 * and sent again with the same key.
 */
export async function idempotentRequest<T>(
  deps: Pick<OrdersDeps, 'prisma' | 'transaction'>,
  request: { callerId: string; operation: string; key: string | undefined; body: unknown },
  work: (tx: Db) => Promise<{ status: number; body: T }>,
): Promise<IdempotentResult<T>> {
  if (request.key === undefined) {
    const result = await deps.transaction(work);
    return { ...result, replayed: false };
  }
  const scope: IdempotencyScope = {
    callerId: request.callerId,
    operation: request.operation,
    key: request.key,
  };
  const hash = requestHash(request.body);
  const earlier = await findStoredResponse(deps.prisma, scope);
  if (earlier) return replayOrConflict(earlier, hash, request.key);
  try {
    const result = await deps.transaction(async (tx) => {
      const answer = await work(tx);
      await storeResponse(tx, scope, {
        requestHash: hash,
        responseStatus: answer.status,
        responseBody: answer.body,
      });
      return answer;
    });
    return { ...result, replayed: false };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // A concurrent request with the same key committed first: answer as if this one came second.
    const winner = await findStoredResponse(deps.prisma, scope);
    if (!winner) throw error;
    return replayOrConflict(winner, hash, request.key);
  }
}
