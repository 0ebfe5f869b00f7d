import type { PublishableKeyVerifier } from '../access/publishable-key-verifier.js';
import type { CatalogContext } from '../catalog-context.js';
import { findPublishableKey, revokePublishableKey as markRevoked } from '../db/publishable-keys.js';
import { publishableKeyNotFound } from './get-publishable-keys.js';

/**
 * Revokes a key for good: this instance refuses it at once, other instances once their cached answer
 * expires (PUBLISHABLE_KEY_CACHE_MS). Revoking a revoked key changes nothing.
 */
export async function revokePublishableKey(
  ctx: CatalogContext,
  verifier: PublishableKeyVerifier,
  id: string,
): Promise<void> {
  const row = await findPublishableKey(ctx.prisma, id);
  if (!row) throw publishableKeyNotFound(id);
  if (!row.revokedAt) {
    await markRevoked(ctx.prisma, id, new Date());
    ctx.logger.info({ publishableKeyId: id, keyPrefix: row.keyPrefix }, 'publishable key revoked');
  }
  verifier.forget(id);
}
