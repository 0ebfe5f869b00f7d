const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** JSON-schema pattern of an id that may carry the APIs' prefix, e.g. `ord-<uuid>` or `<uuid>`. */
export function idPattern(prefix: string): string {
  return `^(${prefix}-)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`;
}

/**
 * The plain lower-case UUID of an id given with or without its prefix (`ord-<uuid>` and `<uuid>` name
 * the same order); null when it is neither. Responses and events always carry the plain UUID.
 */
export function parseId(value: string, prefix: string): string | null {
  const trimmed = value.trim().toLowerCase();
  const bare = trimmed.startsWith(`${prefix}-`) ? trimmed.slice(prefix.length + 1) : trimmed;
  return UUID.test(bare) ? bare : null;
}
