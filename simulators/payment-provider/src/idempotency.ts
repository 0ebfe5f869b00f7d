import { createHash } from 'node:crypto';
import { AppError, type ErrorCode, type ErrorDetails } from '@fv/service-kit';
import type { Database } from '@fv/database';

export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];

/** What an operation answered: a result, or a refusal with the platform's error code. */
export type Answer =
  | { kind: 'result'; statusCode: number; body: Record<string, unknown> }
  | { kind: 'refusal'; code: ErrorCode; message: string; details: ErrorDetails; statusCode: number };

export interface Replayable {
  answer: Answer;
  replayed: boolean;
}

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY = /^[\x21-\x7e]{1,255}$/;

/** The key of a request, or a 400 naming the header. */
export function idempotencyKeyOf(headers: Record<string, unknown>): string {
  const value = headers[IDEMPOTENCY_HEADER];
  if (typeof value !== 'string' || value.length === 0) {
    throw new AppError('INVALID_REQUEST', 'The Idempotency-Key header is required on every POST', {
      details: {
        fields: [
          { field: 'headers.idempotency-key', rule: 'required', message: 'send an Idempotency-Key header' },
        ],
      },
    });
  }
  if (!KEY.test(value)) {
    throw new AppError('INVALID_REQUEST', 'The Idempotency-Key header is malformed', {
      details: {
        fields: [
          {
            field: 'headers.idempotency-key',
            rule: 'pattern',
            message: 'must be 1 to 255 visible ASCII characters',
          },
        ],
      },
    });
  }
  return value;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** The same operation on the same resource with the same body has the same fingerprint. */
export function fingerprintOf(operation: string, body: unknown): string {
  return createHash('sha256')
    .update(`${operation}\n${JSON.stringify(canonical(body ?? {}))}`)
    .digest('hex');
}

/** An answer that is not final: the provider failed on its side, so a repeat of the key must be tried again. */
export class TransientFailure {
  constructor(readonly message: string) {}
}

/**
 * Runs `work` at most once per idempotency key, as a payment provider does: under a lock on the key
 * (so a concurrent repeat waits and replays), in one transaction with the answer it stores. A repeat
 * with the same fingerprint gets the stored answer; another fingerprint is 409. A transient failure
 * (`TransientFailure`) stores no answer, but whatever `work` wrote before it commits (a simulated
 * one-off failure remembers it was served).
 */
export async function oncePerKey(
  db: Database,
  key: string,
  fingerprint: string,
  work: (tx: Tx) => Promise<Answer | TransientFailure>,
): Promise<Replayable | TransientFailure> {
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(hashtextextended($1, 8087))', [key]);
    const [stored] = await tx.query<{ request_fingerprint: string; response: Answer }>(
      'select request_fingerprint, response from idempotency_keys where key = $1',
      [key],
    );
    if (stored) {
      if (stored.request_fingerprint !== fingerprint) {
        throw new AppError(
          'CONFLICT',
          'This Idempotency-Key was already used for another request; use a new key for a new request',
          {
            details: {
              reason: 'IDEMPOTENCY_KEY_REUSED',
              field: 'headers.idempotency-key',
              idempotencyKey: key,
            },
          },
        );
      }
      return { answer: stored.response, replayed: true };
    }
    const answer = await work(tx);
    if (answer instanceof TransientFailure) return answer;
    await tx.query(
      `insert into idempotency_keys (key, request_fingerprint, status_code, response) values ($1, $2, $3, $4::jsonb)`,
      [key, fingerprint, answer.statusCode, JSON.stringify(answer)],
    );
    return { answer, replayed: false };
  });
}

/** Whether an answer is stored for the key (a held call is only held the first time). */
export async function hasAnswer(db: Database, key: string): Promise<boolean> {
  const rows = await db.query('select 1 from idempotency_keys where key = $1', [key]);
  return rows.length > 0;
}
