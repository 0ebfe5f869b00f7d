const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const UUID_PATTERN = new RegExp(`^${UUID}$`);

/** Prefixes accepted on input (`prod-<uuid>`, `cat-<uuid>`); responses always carry the plain UUID. */
export const PRODUCT_ID_PREFIX = 'prod-';
export const CATEGORY_ID_PREFIX = 'cat-';

/** JSON-schema pattern of an id: a UUID, optionally with its prefix. */
export function idPattern(prefix: string): string {
  return `^(${prefix})?${UUID}$`;
}

/** The plain, lower-case UUID of `value` (with or without `prefix`), or null when it is not one. */
export function parseId(value: string, prefix: string): string | null {
  const bare = value.startsWith(prefix) ? value.slice(prefix.length) : value;
  return UUID_PATTERN.test(bare) ? bare.toLowerCase() : null;
}

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}
