import { isDeepStrictEqual } from 'node:util';
import { liveConfigBaseShape, type FieldIssue } from '@fv/service-kit';
import { findForbiddenKey, isForbiddenKeyPath } from '@fv/service-runtime';
import type { ZodTypeAny } from 'zod';

/** Service name whose keys are the platform defaults every service inherits (as in Spring Cloud Config). */
export { PLATFORM_DEFAULTS_SERVICE as DEFAULTS_SERVICE, expandDottedKeys } from '@fv/service-runtime';

export const SERVICE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
export const PROFILE_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Dotted keys: `logLevel`, `featureFlags.expressCheckout`, `payment.timeoutMs`. */
export const CONFIG_KEY_PATTERN = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
export const MAX_KEY_LENGTH = 200;
export const MAX_KEYS_PER_SOURCE = 1000;
/** Largest JSON encoding of one value. */
export const MAX_VALUE_BYTES = 64 * 1024;
/** What callers without the admin role see instead of a secret value. */
export const MASKED_SECRET = '******';

/** A JSON value as stored: anything JSON can carry. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type ConfigEntries = Record<string, JsonValue>;

export interface ConfigSourceDocument {
  service: string;
  /** null for the service's base configuration. */
  profile: string | null;
  version: number;
  entries: ConfigEntries;
  secretKeys: string[];
}

export interface EffectiveConfig {
  service: string;
  profile: string | null;
  /** Sum of the source versions: it grows with every write to any source, so watchers can wait past it. */
  version: number;
  sources: { service: string; profile: string | null; version: number }[];
  properties: ConfigEntries;
  /** Keys of `properties` that hold secrets. */
  secretKeys: string[];
}

export type ChangeKind = 'ADDED' | 'MODIFIED' | 'REMOVED';
export interface EntryChange {
  key: string;
  change: ChangeKind;
}

/**
 * Merges the sources in order — platform defaults, the service's own keys, its profile — later ones
 * winning key by key, and says which resulting keys are secrets.
 */
export function mergeSources(
  service: string,
  profile: string | null,
  sources: readonly ConfigSourceDocument[],
): EffectiveConfig {
  const properties: ConfigEntries = {};
  const secret = new Set<string>();
  for (const source of sources) {
    for (const [key, value] of Object.entries(source.entries)) {
      properties[key] = value;
      if (source.secretKeys.includes(key)) secret.add(key);
      else secret.delete(key);
    }
  }
  return {
    service,
    profile,
    version: sources.reduce((sum, source) => sum + source.version, 0),
    sources: sources.map((source) => ({
      service: source.service,
      profile: source.profile,
      version: source.version,
    })),
    properties: sortKeys(properties),
    secretKeys: [...secret].sort(),
  };
}

function sortKeys(entries: ConfigEntries): ConfigEntries {
  return Object.fromEntries(Object.entries(entries).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The entries with every secret value replaced, unless the caller may see them. */
export function maskSecrets(
  entries: ConfigEntries,
  secretKeys: readonly string[],
  reveal: boolean,
): ConfigEntries {
  if (reveal || secretKeys.length === 0) return entries;
  const masked: ConfigEntries = {};
  for (const [key, value] of Object.entries(entries))
    masked[key] = secretKeys.includes(key) ? MASKED_SECRET : value;
  return masked;
}

/** Keys added, modified (value or secrecy) and removed between two versions of a source. */
export function diffEntries(
  before: ConfigEntries,
  beforeSecrets: readonly string[],
  after: ConfigEntries,
  afterSecrets: readonly string[],
): EntryChange[] {
  const changes: EntryChange[] = [];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const key of [...keys].sort()) {
    const had = Object.hasOwn(before, key);
    const has = Object.hasOwn(after, key);
    if (had && !has) changes.push({ key, change: 'REMOVED' });
    else if (!had && has) changes.push({ key, change: 'ADDED' });
    else if (
      !isDeepStrictEqual(before[key], after[key]) ||
      beforeSecrets.includes(key) !== afterSecrets.includes(key)
    )
      changes.push({ key, change: 'MODIFIED' });
  }
  return changes;
}

const retryShape = liveConfigBaseShape.retry.innerType().shape as Record<string, ZodTypeAny>;

/** The rule a known live key's value must satisfy, so a bad value is refused at write time rather than by every service. */
function ruleOf(key: string): ZodTypeAny | undefined {
  if (key === 'logLevel') return liveConfigBaseShape.logLevel;
  if (key === 'featureFlags') return liveConfigBaseShape.featureFlags;
  if (key.startsWith('featureFlags.') && key.split('.').length === 2)
    return liveConfigBaseShape.featureFlags.valueSchema;
  if (key === 'retry') return liveConfigBaseShape.retry;
  if (key.startsWith('retry.')) return retryShape[key.slice('retry.'.length)];
  return undefined;
}

/**
 * Checks keys and values of a write: key syntax and length, value size, the types of the platform's
 * live keys (logLevel, featureFlags.*, retry.*), and that every secret names a key of the write.
 * `location` prefixes the field names in the issues (`body.entries`).
 */
/** The issue with a key's syntax, length or segments (none may reach a prototype), or null. */
export function keyIssue(key: string, field: string): FieldIssue | null {
  if (key.length > MAX_KEY_LENGTH || !CONFIG_KEY_PATTERN.test(key)) {
    return {
      field,
      rule: 'pattern',
      message: `key must be dot-separated segments of letters, digits, '_' or '-', at most ${MAX_KEY_LENGTH} characters`,
    };
  }
  if (isForbiddenKeyPath(key)) {
    return {
      field,
      rule: 'not',
      message: "no segment of a key may be '__proto__', 'constructor' or 'prototype'",
    };
  }
  return null;
}

/** The issue with one value: missing, too large, holding a prototype key at any depth, or breaking a live key's rule. */
export function valueIssue(key: string, value: unknown, field: string): FieldIssue | null {
  if (value === undefined) return { field, rule: 'required', message: 'must have a JSON value' };
  if (Buffer.byteLength(JSON.stringify(value)) > MAX_VALUE_BYTES) {
    return {
      field,
      rule: 'maxLength',
      message: `value must encode to at most ${MAX_VALUE_BYTES} bytes of JSON`,
    };
  }
  const forbidden = findForbiddenKey(value);
  if (forbidden) {
    return {
      field,
      rule: 'not',
      message: `the value holds the property ${forbidden}; '__proto__', 'constructor' and 'prototype' are not allowed as property names`,
    };
  }
  const rule = ruleOf(key);
  if (rule) {
    const result = rule.safeParse(value);
    if (!result.success) {
      return { field, rule: 'type', message: result.error.issues.map((issue) => issue.message).join('; ') };
    }
  }
  return null;
}

export function validateEntries(
  entries: Record<string, unknown>,
  secretKeys: readonly string[],
  location: string,
  secretsLocation = 'body.secretKeys',
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const keys = Object.keys(entries);
  if (keys.length > MAX_KEYS_PER_SOURCE) {
    issues.push({
      field: location,
      rule: 'maxProperties',
      message: `must hold at most ${MAX_KEYS_PER_SOURCE} keys`,
    });
  }
  for (const key of keys) {
    const field = `${location}.${key}`;
    const issue = keyIssue(key, field) ?? valueIssue(key, entries[key], field);
    if (issue) issues.push(issue);
  }
  secretKeys.forEach((key, index) => {
    if (!Object.hasOwn(entries, key)) {
      issues.push({
        field: `${secretsLocation}[${index}]`,
        rule: 'enum',
        message: `names ${key}, which is not a key of the write`,
      });
    }
  });
  return issues;
}
