/**
 * Reading the columns of a row the same way whichever driver returned it: node-postgres (the consumers'
 * direct transactions), Prisma's raw queries (HTTP routes), or a column inside a JSON aggregate. Each
 * gives timestamps as Date or ISO text, `bigint` and `numeric` as text or as BigInt and Decimal, and a
 * JSON column parsed or as text.
 */

/** A row of a raw query, before its columns are read. */
export type Row = Record<string, unknown>;

/** A text column; null stays null. */
export const textOrNull = (value: unknown): string | null =>
  value === null || value === undefined ? null : String(value);

/** A timestamp column: a Date, or ISO text inside JSON. */
export const dateOf = (value: unknown): Date => new Date(value as string | Date);

export const dateOrNull = (value: unknown): Date | null =>
  value === null || value === undefined ? null : dateOf(value);

/** A JSON column: parsed by the driver, or text (a `::text` cast, a nested aggregate) parsed here. */
export const jsonOf = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;
