import type { Db } from '../catalog-context.js';
import { findPublishableKeyByHash, type PublishableKey } from '../db/publishable-keys.js';
import { hashPublishableKey, looksLikePublishableKey } from '../domain/publishable-key.js';

/** How long an answer about a key is kept in memory: revocation reaches other instances within this. */
export const PUBLISHABLE_KEY_CACHE_MS = 5_000;
const MAX_CACHED = 10_000;

/** A key that may be used: the fields a request is judged by. */
export interface ActiveKey {
  id: string;
  scopes: readonly string[];
  rateLimitPerMinute: number;
}

interface Cached {
  key: ActiveKey | null;
  expiresAt: number;
}

/**
 * Tells whether a publishable key is valid (known and not revoked), keeping each answer (unknown keys
 * included, so guessing costs no query) for {@link PUBLISHABLE_KEY_CACHE_MS}. Keys are looked up by
 * their hash; the key itself is never kept nor logged.
 */
export class PublishableKeyVerifier {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  async verify(key: string): Promise<ActiveKey | null> {
    if (!looksLikePublishableKey(key)) return null;
    const hash = hashPublishableKey(key);
    const now = this.now();
    const cached = this.cache.get(hash);
    if (cached && cached.expiresAt > now) return cached.key;
    const row = await findPublishableKeyByHash(this.db, hash);
    const active = row && !row.revokedAt ? activeKey(row) : null;
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(hash, { key: active, expiresAt: now + PUBLISHABLE_KEY_CACHE_MS });
    return active;
  }

  /** Drops what is known of a key (on revocation, so this instance refuses it at once). */
  forget(id: string): void {
    for (const [hash, cached] of this.cache) {
      if (cached.key?.id === id) this.cache.delete(hash);
    }
  }
}

function activeKey(row: PublishableKey): ActiveKey {
  return { id: row.id, scopes: row.scopes, rateLimitPerMinute: row.rateLimitPerMinute };
}
