import { randomUUID } from 'node:crypto';
import type { CatalogContext } from '../catalog-context.js';
import {
  insertPublishableKey,
  toPublishableKeyView,
  type PublishableKeyView,
} from '../db/publishable-keys.js';
import { generatePublishableKey, type PublishableKeyScope } from '../domain/publishable-key.js';

export interface CreatePublishableKeyInput {
  name: string;
  scopes?: PublishableKeyScope[];
  rateLimitPerMinute?: number;
  /** Subject of the admin's token. */
  createdBy: string;
}

/** A new key for a storefront. The answer is the only place the key itself ever appears. */
export async function createPublishableKey(
  ctx: CatalogContext,
  input: CreatePublishableKeyInput,
): Promise<PublishableKeyView & { key: string }> {
  const { key, keyPrefix, keyHash } = generatePublishableKey();
  const row = await insertPublishableKey(ctx.prisma, {
    id: randomUUID(),
    name: input.name.trim(),
    keyPrefix,
    keyHash,
    scopes: [...new Set(input.scopes ?? ['catalog:read'])],
    rateLimitPerMinute: input.rateLimitPerMinute ?? ctx.config.PUBLISHABLE_KEY_RATE_LIMIT_PER_MINUTE,
    createdBy: input.createdBy,
  });
  ctx.logger.info({ publishableKeyId: row.id, keyPrefix }, 'publishable key created');
  return { ...toPublishableKeyView(row), key };
}
