const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The seed's prefixes: workflow, saga, order, customer ids may be sent with them. */
export const ID_PREFIXES = ['wf', 'saga', 'ord', 'cust', 'ret'] as const;
export type IdPrefix = (typeof ID_PREFIXES)[number];

/** A plain lower-case UUID from `<uuid>` or `<prefix>-<uuid>`; null when it is neither. */
export function parseId(raw: string, prefixes: readonly IdPrefix[] = ID_PREFIXES): string | null {
  let text = raw.trim();
  for (const prefix of prefixes) {
    if (text.startsWith(`${prefix}-`) && UUID.test(text.slice(prefix.length + 1))) {
      text = text.slice(prefix.length + 1);
      break;
    }
  }
  return UUID.test(text) ? text.toLowerCase() : null;
}

/** JSON schema pattern of an id: a UUID, optionally with one of the prefixes. */
export function idPattern(prefixes: readonly IdPrefix[]): string {
  const uuid = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
  return `^(?:(?:${prefixes.join('|')})-)?${uuid}$`;
}
