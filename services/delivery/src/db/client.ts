import type { SqlClient } from '@fv/messaging';
import type { Prisma } from '../generated/prisma/client.js';

/**
 * A transaction, or the database itself for reads. The stores of the event paths read and write with
 * SQL only, so the same code runs in a Prisma transaction (HTTP requests) and in the consumer's direct
 * one on the pool.
 */
export type Db = SqlClient;

/** A Prisma transaction or client, for what only HTTP requests do (filtered lists, tracking updates, returns). */
export type PrismaDb = Prisma.TransactionClient;

// How a row's columns are read whichever driver returned them (node-postgres or Prisma's raw queries).
export { dateOf, dateOrNull, jsonOf as json, textOrNull as text, type Row } from '@fv/database';
