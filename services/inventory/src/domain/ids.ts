import { idPattern as prefixedIdPattern, parseId as parsePrefixedId } from '@fv/service-kit';

/** Prefixes the public APIs put in front of ids; accepted on input, never returned. */
export const ID_PREFIXES = { product: 'prod', order: 'ord', reservation: 'res' } as const;
export type IdKind = keyof typeof ID_PREFIXES;

/** JSON-schema pattern of an id of `kind`: a UUID, optionally with its prefix (`ord-<uuid>`). */
export function idPattern(kind: IdKind): string {
  return prefixedIdPattern(ID_PREFIXES[kind]);
}

/** The plain lower-case UUID of an id of `kind`, or null when `raw` is not one. */
export function parseId(kind: IdKind, raw: string): string | null {
  return parsePrefixedId(raw, ID_PREFIXES[kind]);
}

/** Warehouse (location) codes: letters, digits, dot, dash and underscore, e.g. `wh-001`. */
export const WAREHOUSE_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';
const warehouseMatcher = new RegExp(WAREHOUSE_ID_PATTERN);

export function isWarehouseId(raw: string): boolean {
  return warehouseMatcher.test(raw);
}
