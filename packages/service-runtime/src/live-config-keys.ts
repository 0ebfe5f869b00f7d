/** The configuration-store entry holding the platform defaults every service inherits (as in Spring Cloud Config). */
export const PLATFORM_DEFAULTS_SERVICE = 'application';

/** Flat configuration entries as the configuration store keeps them: `retry.maxAttempts` → 5. */
export type ConfigEntries = Record<string, unknown>;

/**
 * Names that reach an object's prototype when used as a property name. Keys chosen by users (configuration
 * keys and their segments, metadata keys, keys inside JSON values) must never be one of them.
 */
export const FORBIDDEN_OBJECT_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** True when `key` or one of its dot-separated segments would reach an object's prototype. */
export function isForbiddenKeyPath(key: string): boolean {
  return key.split('.').some((segment) => FORBIDDEN_OBJECT_KEYS.has(segment));
}

/** The first property name at any depth of `value` that would reach a prototype, as a dotted path, or null. */
export function findForbiddenKey(value: unknown, path = ''): string | null {
  if (typeof value !== 'object' || value === null) return null;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = findForbiddenKey(value[index], `${path}[${index}]`);
      if (found) return found;
    }
    return null;
  }
  for (const key of Object.keys(value)) {
    const here = path ? `${path}.${key}` : key;
    if (FORBIDDEN_OBJECT_KEYS.has(key)) return here;
    const found = findForbiddenKey((value as Record<string, unknown>)[key], here);
    if (found) return found;
  }
  return null;
}

/**
 * `{ 'featureFlags.a': true, logLevel: 'debug' }` → `{ featureFlags: { a: true }, logLevel: 'debug' }`.
 * Keys with a segment that would reach a prototype (`__proto__`, `constructor`, `prototype`) are skipped,
 * and only own properties are ever walked into, so stored configuration can never change `Object.prototype`.
 */
export function expandDottedKeys(entries: ConfigEntries): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  // Shorter keys first, so `retry.maxAttempts` refines a whole `retry` object rather than being replaced by it.
  const keys = Object.keys(entries).filter((key) => !isForbiddenKeyPath(key));
  for (const key of keys.sort((a, b) => a.split('.').length - b.split('.').length)) {
    const path = key.split('.');
    let node = result;
    for (const segment of path.slice(0, -1)) {
      const next = Object.hasOwn(node, segment) ? node[segment] : undefined;
      if (!isPlainObject(next)) node[segment] = {};
      node = node[segment] as Record<string, unknown>;
    }
    const last = path[path.length - 1]!;
    const value = entries[key];
    const existing = Object.hasOwn(node, last) ? node[last] : undefined;
    node[last] =
      isPlainObject(existing) && isPlainObject(value)
        ? { ...existing, ...(value as Record<string, unknown>) }
        : value;
  }
  return result;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
