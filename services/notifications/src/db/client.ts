import type { SqlClient } from '@fv/messaging';
import type { Prisma } from '../generated/prisma/client.js';

/**
 * A transaction, or the database itself for reads. The stores of the event and dispatch paths read and
 * write with SQL only, so the same code runs in a Prisma transaction (HTTP requests) and in a direct one
 * on the pool (the consumer and the dispatcher).
 */
export type Db = SqlClient;

/** A Prisma transaction or client, for what only HTTP requests do (filtered lists, template and preference edits). */
export type PrismaDb = Prisma.TransactionClient;

/** The transaction a consumer hands to an event handler. */
export function asDb(tx: SqlClient): Db {
  return tx;
}

/** A row as node-postgres, Prisma's raw queries or a JSON column give it. */
export type Row = Record<string, unknown>;

export const text = (value: unknown): string | null =>
  value === null || value === undefined ? null : String(value);

/** node-postgres and Prisma give timestamps as Date, JSON columns as ISO text. */
export const dateOf = (value: unknown): Date => new Date(value as string | Date);

export const dateOrNull = (value: unknown): Date | null =>
  value === null || value === undefined ? null : dateOf(value);

/** A JSON column: node-postgres and Prisma parse it; text is parsed here. */
export const json = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;
