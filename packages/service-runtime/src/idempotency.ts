import { createHash } from 'node:crypto';
import type { SqlClient } from '@fv/messaging';
import { AppError, requirePrincipal, type Logger } from '@fv/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BackgroundTask } from './service-runtime.js';

/** The request header that makes a POST idempotent. */
export const IDEMPOTENCY_KEY_HEADER = 'x-idempotency-key';

/** The response header that marks an answer as the stored answer to an earlier request. */
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';

/**
 * JSON schema of the X-Idempotency-Key header, for the `headers` of every route that honours it: 1 to 255
 * visible ASCII characters.
 */
export const idempotencyHeaders = {
  type: 'object',
  properties: {
    [IDEMPOTENCY_KEY_HEADER]: {
      type: 'string',
      minLength: 1,
      maxLength: 255,
      pattern: '^[\\x21-\\x7E]+$',
      description:
        'Repeating a request with the same key and body returns the first answer (with idempotent-replayed: true); the same key with another body is 409 CONFLICT.',
    },
  },
} as const;

export interface IdempotentRequest {
  /** Who asks (the token subject): keys of different callers never collide. */
  scope: string;
  /** What the key is used for, e.g. `POST /returns` or `refund-order:<id>`: keys count per operation. */
  operation: string;
  key: string;
  /** The request body: the same key with another body is a conflict. */
  body: unknown;
}

export interface IdempotentAnswer<T> {
  statusCode: number;
  body: T;
}

export interface IdempotentResult<T> extends IdempotentAnswer<T> {
  /** True when this is the stored answer to an earlier request with the same key. */
  replayed: boolean;
}

export interface IdempotencyOptions {
  /**
   * How long a stored answer is replayed, in milliseconds; an older record no longer counts and the
   * key runs the request again. Without it a record counts until it is purged.
   */
  ttlMs?: number;
}

const TABLE = 'idempotent_requests';
const HOUR_MS = 60 * 60 * 1000;

/** JSON with object keys sorted at every depth, so equal bodies serialize equally whatever their key order. */
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

/** SHA-256 (hex) of a request body, to tell a retry of the same request from a different one under the same key. */
export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/**
 * The request's X-Idempotency-Key for `operation`, scoped to the caller (the token subject), or null
 * when the request carries none. The body compared is the request's, unless another is given.
 */
export function idempotentRequestOf(
  request: FastifyRequest,
  operation: string,
  body: unknown = request.body,
): IdempotentRequest | null {
  const key = request.headers[IDEMPOTENCY_KEY_HEADER];
  if (typeof key !== 'string') return null;
  return { scope: requirePrincipal(request).sub, operation, key, body };
}

/** Sends an idempotent result: its status and body, marked with `idempotent-replayed` when it is a replay. */
export function sendIdempotent<T>(reply: FastifyReply, result: IdempotentResult<T>): FastifyReply {
  if (result.replayed) reply.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
  return reply.code(result.statusCode).send(result.body);
}

interface StoredAnswer {
  request_hash: string;
  status_code: number;
  /** The stored body as JSON text (parsed here, whatever the driver does with jsonb). */
  response_body: string;
}

function keyReused(key: string): AppError {
  return new AppError('CONFLICT', `X-Idempotency-Key ${key} was already used with a different request body`, {
    details: { field: 'headers.x-idempotency-key', reason: 'IDEMPOTENCY_KEY_REUSED', idempotencyKey: key },
  });
}

/**
 * Runs `work` at most once per (caller, operation, key), inside the caller's transaction `tx`: the
 * answer is stored with the state change, the same key with the same body gets the stored answer
 * again, and the same key with another body is 409 CONFLICT (details.reason IDEMPOTENCY_KEY_REUSED).
 * Concurrent requests with one key wait for each other (a transaction-scoped advisory lock), so only
 * one of them runs `work`. A failed request rolls back with its transaction and stores nothing, so it
 * may be corrected and sent again with the same key. Without a request (no key), `work` simply runs.
 *
 * Needs the `idempotent_requests` table (prisma/idempotency.prisma of this package).
 */
export async function idempotently<T>(
  tx: SqlClient,
  request: IdempotentRequest | null,
  work: () => Promise<IdempotentAnswer<T>>,
  options: IdempotencyOptions = {},
): Promise<IdempotentResult<T>> {
  if (!request) return { ...(await work()), replayed: false };
  const hash = requestHash(request.body);
  const id = [request.scope, request.operation, request.key];
  await tx.$queryRawUnsafe(
    'select 1 as locked from (select pg_advisory_xact_lock(hashtextextended($1, 0))) as lock',
    JSON.stringify(id),
  );
  if (options.ttlMs !== undefined) {
    await tx.$executeRawUnsafe(
      `delete from ${TABLE} where scope = $1 and operation = $2 and key = $3 and created_at < $4::timestamptz`,
      ...id,
      new Date(Date.now() - options.ttlMs).toISOString(),
    );
  }
  const [stored] = await tx.$queryRawUnsafe<StoredAnswer[]>(
    `select request_hash, status_code, response_body::text as response_body from ${TABLE}
      where scope = $1 and operation = $2 and key = $3`,
    ...id,
  );
  if (stored) {
    if (stored.request_hash !== hash) throw keyReused(request.key);
    return { statusCode: stored.status_code, body: JSON.parse(stored.response_body) as T, replayed: true };
  }
  const answer = await work();
  await tx.$executeRawUnsafe(
    `insert into ${TABLE} (scope, operation, key, request_hash, status_code, response_body)
     values ($1, $2, $3, $4, $5, $6::jsonb)`,
    ...id,
    hash,
    answer.statusCode,
    JSON.stringify(answer.body ?? null),
  );
  return { ...answer, replayed: false };
}

/** Forgets the answers stored before `before`; returns how many. */
export async function purgeIdempotentRequests(db: SqlClient, before: Date): Promise<number> {
  return db.$executeRawUnsafe(
    `delete from ${TABLE} where created_at < $1::timestamptz`,
    before.toISOString(),
  );
}

export interface IdempotencyPurgeOptions {
  /** Answers older than this (milliseconds) are deleted. */
  ttlMs: number;
  /** How often to purge; hourly by default. */
  intervalMs?: number;
}

/**
 * A background task that deletes stored idempotent answers older than `ttlMs`: once the database is
 * migrated, then every `intervalMs`. A failed round is logged and tried again at the next one.
 */
export function idempotencyPurge(
  context: { prisma: SqlClient; database: { ready: Promise<unknown> }; logger: Logger },
  options: IdempotencyPurgeOptions,
): BackgroundTask {
  const log = context.logger.child({ component: 'idempotency-purge' });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const purge = async () => {
    try {
      const purged = await purgeIdempotentRequests(context.prisma, new Date(Date.now() - options.ttlMs));
      if (purged > 0) log.info({ purged }, 'expired idempotency records purged');
    } catch (error) {
      log.warn({ err: error }, 'purging expired idempotency records failed; trying again later');
    }
  };
  const round = () => {
    if (stopped || running) return;
    running = purge().finally(() => {
      running = undefined;
    });
  };
  return {
    name: 'idempotency purge',
    start() {
      stopped = false;
      void context.database.ready.then(() => {
        if (stopped) return;
        round();
        timer = setInterval(round, options.intervalMs ?? HOUR_MS);
        timer.unref();
      });
    },
    async close() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
