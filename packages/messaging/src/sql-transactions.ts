import type { SqlClient, TransactionalSqlClient } from './sql-client.js';

/** The statements of one transaction on a database used directly (`@fv/database`'s transaction satisfies it). */
export interface DirectTransaction {
  query<T extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
  ): Promise<T[]>;
  execute(sql: string, params?: unknown[]): Promise<number>;
}

/** A database used directly: statements and transactions on its pool (`@fv/database`'s `Database`). */
export interface DirectDatabase extends DirectTransaction {
  transaction<T>(fn: (tx: DirectTransaction) => Promise<T>): Promise<T>;
}

function asSqlClient(target: DirectTransaction): SqlClient {
  return {
    $executeRawUnsafe: (query, ...values) => target.execute(query, values),
    $queryRawUnsafe: async <T>(query: string, ...values: unknown[]) =>
      (await target.query(query, values)) as T,
  };
}

/**
 * The consumer's transactions run on the database's own pool instead of through Prisma, for handlers
 * that write with SQL only (`$queryRawUnsafe` / `$executeRawUnsafe`): each statement goes to the
 * server as it is, with no query compilation, no engine round trip and no transaction manager — a
 * fifth of the CPU of the same statements through Prisma's client engine (see docs/performance.md).
 *
 * Values come back as node-postgres parses them: `bigint` and `numeric` columns as strings, where
 * Prisma's raw queries give BigInt and Decimal. Handlers given this client must not rely on either.
 */
export function directTransactions(db: DirectDatabase): TransactionalSqlClient {
  return {
    ...asSqlClient(db),
    $transaction: (fn) => db.transaction((tx) => fn(asSqlClient(tx))),
  };
}
