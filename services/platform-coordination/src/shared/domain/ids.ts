import { idPattern as prefixedIdPattern, parseId as parsePrefixedId } from '@fv/service-kit';

/** The seed's prefixes: workflow, saga, order, customer ids may be sent with them. */
export const ID_PREFIXES = ['wf', 'saga', 'ord', 'cust', 'ret'] as const;
export type IdPrefix = (typeof ID_PREFIXES)[number];

/** A plain lower-case UUID from `<uuid>` or `<prefix>-<uuid>`; null when it is neither. */
export function parseId(raw: string, prefixes: readonly IdPrefix[] = ID_PREFIXES): string | null {
  return parsePrefixedId(raw, prefixes);
}

/** JSON schema pattern of an id: a UUID, optionally with one of the prefixes. */
export function idPattern(prefixes: readonly IdPrefix[]): string {
  return prefixedIdPattern(prefixes);
}
