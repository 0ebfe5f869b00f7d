/**
 * The slice of a Prisma client (or of the transaction client handed to `$transaction`) the messaging
 * layer uses. Every service's generated client satisfies it, so this package does not depend on any
 * one service's schema.
 */
export interface SqlClient {
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): PromiseLike<T>;
}

/** A Prisma client: a SqlClient that can open interactive transactions. */
export interface TransactionalSqlClient extends SqlClient {
  $transaction<R>(
    fn: (tx: SqlClient) => Promise<R>,
    options?: { maxWait?: number; timeout?: number; isolationLevel?: never },
  ): Promise<R>;
}

/**
 * A database used directly, without Prisma (no query compilation per statement), for the messaging
 * layer's own work that shares no transaction with a handler, such as the outbox relay's rounds.
 * `@fv/database`'s `Database` satisfies it.
 */
export interface SqlDatabase {
  query<T extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
  ): Promise<T[]>;
  transaction<T>(fn: (tx: { query: SqlDatabase['query'] }) => Promise<T>): Promise<T>;
}
