import { idempotently, type IdempotentAnswer, type IdempotentResult } from '@fv/service-runtime';
import type { Db } from '../db/orders-store.js';
import type { OrdersDeps } from './orders-deps.js';

const HOUR_MS = 60 * 60 * 1000;

/**
 * Runs `work` in a transaction once per X-Idempotency-Key of the caller and operation: the answer is
 * stored with the state change and replayed for IDEMPOTENCY_KEY_TTL_HOURS to a request with the same
 * key and body; another body is a 409. Without a key, `work` simply runs. Rejected requests store
 * nothing, so they can be corrected and sent again with the same key.
 */
export function idempotentRequest<T>(
  deps: Pick<OrdersDeps, 'config' | 'transaction'>,
  request: { callerId: string; operation: string; key: string | undefined; body: unknown },
  work: (tx: Db) => Promise<IdempotentAnswer<T>>,
): Promise<IdempotentResult<T>> {
  const { callerId, operation, key, body } = request;
  return deps.transaction((tx) =>
    idempotently(tx, key === undefined ? null : { scope: callerId, operation, key, body }, () => work(tx), {
      ttlMs: deps.config.IDEMPOTENCY_KEY_TTL_HOURS * HOUR_MS,
    }),
  );
}
