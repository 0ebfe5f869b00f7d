/**
 * True when `error` says a unique constraint refused a write, whichever way the statement went: a Prisma
 * model call (P2002), a raw statement through Prisma's driver adapter (P2010 carrying the adapter's
 * UniqueConstraintViolation), or node-postgres directly (SQLSTATE 23505).
 */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, meta } = error as { code?: unknown; meta?: unknown };
  if (code === 'P2002' || code === '23505') return true;
  if (code !== 'P2010' || typeof meta !== 'object' || meta === null) return false;
  const cause = (meta as { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown } } })
    .driverAdapterError?.cause;
  return cause?.kind === 'UniqueConstraintViolation' || cause?.originalCode === '23505';
}
