import type { IdempotencyOptions, ServiceContext } from '@fv/service-runtime';
import type { CatalogConfig } from './config.js';
import type { Prisma, PrismaClient } from './generated/prisma/client.js';

/** What the catalog's use cases are given: the runtime's context over the catalog's Prisma client. */
export type CatalogContext = ServiceContext<PrismaClient, CatalogConfig>;

/** The Prisma client or an interactive transaction on it; every function in src/db takes one. */
export type Db = Prisma.TransactionClient;

/** Who asked and within which trace, for the records and events a request writes. */
export interface RequestMeta {
  /** Subject of the caller's token. */
  actor: string;
  traceparent: string | null;
}

/** X-Idempotency-Key answers to create requests are replayed, and kept, for IDEMPOTENCY_KEY_TTL_HOURS. */
export function idempotencyOptions(ctx: CatalogContext): Required<IdempotencyOptions> {
  return { ttlMs: ctx.config.IDEMPOTENCY_KEY_TTL_HOURS * 3_600_000 };
}
