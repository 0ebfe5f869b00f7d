import { createHash, randomBytes } from 'node:crypto';

/** The header a storefront sends its publishable key in (never a query parameter: URLs are logged). */
export const PUBLISHABLE_KEY_HEADER = 'x-publishable-api-key';

/** What a key may be given. */
export const PUBLISHABLE_KEY_SCOPES = ['catalog:read'] as const;
export type PublishableKeyScope = (typeof PUBLISHABLE_KEY_SCOPES)[number];

const KEY_PREFIX = 'pk_';
const RANDOM_BYTES = 32;
/** `pk_` and the base64url of 32 random bytes. */
const KEY_PATTERN = /^pk_[A-Za-z0-9_-]{43}$/;
/** Characters of the key kept in clear to tell keys apart: `pk_` and 8 more. */
const DISPLAYED_CHARACTERS = KEY_PREFIX.length + 8;

export interface NewPublishableKey {
  /** The key itself: shown once, never stored. */
  key: string;
  keyPrefix: string;
  keyHash: string;
}

/** A new key with 256 random bits, its displayable prefix and its hash. */
export function generatePublishableKey(): NewPublishableKey {
  const key = `${KEY_PREFIX}${randomBytes(RANDOM_BYTES).toString('base64url')}`;
  return { key, keyPrefix: key.slice(0, DISPLAYED_CHARACTERS), keyHash: hashPublishableKey(key) };
}

/**
 * The stored form of a key. The keys are 256 random bits, so a plain SHA-256 is enough: nothing short
 * of the key itself hashes to it, and no salt is needed to defeat guessing.
 */
export function hashPublishableKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Whether a header value has the shape of a key (anything else is refused without a lookup). */
export function looksLikePublishableKey(value: string): boolean {
  return KEY_PATTERN.test(value);
}
