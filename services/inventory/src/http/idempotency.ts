import { createHash } from 'node:crypto';
import { AppError, requirePrincipal } from '@fv/service-kit';
import type { FastifyRequest } from 'fastify';
import { claimIdempotencyKey, completeIdempotencyKey, findIdempotencyKey } from '../db/idempotency-store.js';
import type { Tx } from '../db/tx.js';

export const IDEMPOTENCY_HEADER = 'x-idempotency-key';

/** JSON schema of the header, for the routes that accept it. */
export const idempotencyHeaders = {
  type: 'object',
  properties: {
    [IDEMPOTENCY_HEADER]: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      pattern: '^[\\x21-\\x7E]+$',
      description:
        'Repeating a request with the same key and body returns the first answer; another body is 409 CONFLICT.',
    },
  },
} as const;

export interface HttpOutcome {
  statusCode: number;
  body: unknown;
}

/** JSON with object keys sorted, so two bodies that mean the same hash the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Runs `work` in one transaction, once per X-Idempotency-Key (per operation and caller). The key is
 * claimed in the same transaction as the effect, so a failed request leaves no trace and may be sent
 * again; a successful one is answered again, unchanged, to a repeat with the same body, and a repeat
 * with another body is refused with 409 CONFLICT. Without the header the work simply runs.
 */
export async function idempotent(
  request: FastifyRequest,
  operation: string,
  transaction: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>,
  work: (tx: Tx) => Promise<HttpOutcome>,
): Promise<HttpOutcome & { replayed: boolean }> {
  const header = request.headers[IDEMPOTENCY_HEADER];
  const key = typeof header === 'string' ? header : undefined;
  if (key === undefined) return { ...(await transaction(work)), replayed: false };

  const scope = `${operation}:${requirePrincipal(request).sub}`;
  const requestHash = createHash('sha256')
    .update(canonical(request.body ?? null))
    .digest('hex');
  return transaction(async (tx) => {
    if (!(await claimIdempotencyKey(tx, scope, key, requestHash))) {
      const previous = await findIdempotencyKey(tx, scope, key);
      if (!previous || previous.statusCode === null)
        throw new Error(`idempotency key ${key} is claimed but has no outcome`);
      if (previous.requestHash !== requestHash) {
        throw new AppError(
          'CONFLICT',
          `X-Idempotency-Key ${key} was already used with a different request body`,
          {
            details: { reason: 'IDEMPOTENCY_KEY_REUSED', idempotencyKey: key },
          },
        );
      }
      return { statusCode: previous.statusCode, body: previous.responseBody, replayed: true };
    }
    const outcome = await work(tx);
    await completeIdempotencyKey(tx, scope, key, outcome);
    return { ...outcome, replayed: false };
  });
}
