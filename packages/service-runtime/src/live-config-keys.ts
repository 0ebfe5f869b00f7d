/** The configuration-store entry holding the platform defaults every service inherits (as in Spring Cloud Config). */
export const PLATFORM_DEFAULTS_SERVICE = 'application';

/** Flat configuration entries as the configuration store keeps them: `retry.maxAttempts` → 5. */
export type ConfigEntries = Record<string, unknown>;

/** `{ 'featureFlags.a': true, logLevel: 'debug' }` → `{ featureFlags: { a: true }, logLevel: 'debug' }`. */
export function expandDottedKeys(entries: ConfigEntries): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  // Shorter keys first, so `retry.maxAttempts` refines a whole `retry` object rather than being replaced by it.
  for (const key of Object.keys(entries).sort((a, b) => a.split('.').length - b.split('.').length)) {
    const path = key.split('.');
    let node = result;
    for (const segment of path.slice(0, -1)) {
      const next = node[segment];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) node[segment] = {};
      node = node[segment] as Record<string, unknown>;
    }
    const last = path[path.length - 1]!;
    const value = entries[key];
    const existing = node[last];
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
