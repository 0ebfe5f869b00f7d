import { createHash } from 'node:crypto';

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
/** The prefix accepted when none is named: 2 to 10 letters, as in `ord-<uuid>` or `shp-<uuid>`. */
const ANY_PREFIX = '[A-Za-z]{2,10}';

const uuidMatcher = new RegExp(`^${UUID}$`);
const idMatchers = new Map<string, RegExp>();

/** The accepted prefixes as a pattern: the ones named, or any of 2 to 10 letters when none are. */
function prefixPattern(prefix: string | readonly string[] | undefined): string {
  if (prefix === undefined) return ANY_PREFIX;
  const prefixes = (typeof prefix === 'string' ? [prefix] : prefix).map((name) =>
    name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
  );
  return prefixes.length === 1 ? prefixes[0]! : `(?:${prefixes.join('|')})`;
}

function idMatcher(prefix: string | readonly string[] | undefined): RegExp {
  const key = prefix === undefined ? '' : typeof prefix === 'string' ? prefix : prefix.join('|');
  let matcher = idMatchers.get(key);
  if (!matcher) {
    matcher = new RegExp(`^(?:${prefixPattern(prefix)}-)?(${UUID})$`, 'i');
    idMatchers.set(key, matcher);
  }
  return matcher;
}

/** Whether `value` is a UUID (in any case, without a prefix). */
export function isUuid(value: string): boolean {
  return uuidMatcher.test(value);
}

/**
 * JSON-schema pattern of an id: a UUID, optionally prefixed with `prefix-` (e.g. `ord` for
 * `ord-<uuid>`) or one of several prefixes, or with any prefix of 2 to 10 letters when none is named.
 */
export function idPattern(prefix?: string | readonly string[]): string {
  return `^(${prefixPattern(prefix)}-)?${UUID}$`;
}

/**
 * The plain lower-case UUID of an id given as `<uuid>` or `<prefix>-<uuid>` (the prefixed form the
 * platform's API examples write, e.g. `ord-<uuid>`); null when it is neither. With `prefix`, only that
 * prefix (or those prefixes) is accepted; without, any prefix of 2 to 10 letters. Surrounding spaces are ignored.
 * Responses and events always carry the plain UUID.
 */
export function parseId(value: string, prefix?: string | readonly string[]): string | null {
  const match = idMatcher(prefix).exec(value.trim());
  return match?.[1] ? match[1].toLowerCase() : null;
}

/**
 * A customer id as stored and compared: the plain UUID when the value is one in any form (`cust-<uuid>`
 * included), else the value as given, trimmed.
 */
export function normalizeCustomerId(value: string): string {
  return parseId(value) ?? value.trim();
}

/**
 * A name-based (version 5, SHA-1) UUID: the same namespace and name always give the same id. The
 * namespace is any string (hashed into the UUID namespace), so ids of different kinds never collide.
 */
export function nameBasedUuid(namespace: string, name: string): string {
  const namespaceBytes = createHash('sha1').update(`fv:${namespace}`).digest().subarray(0, 16);
  const bytes = createHash('sha1').update(namespaceBytes).update(name).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
