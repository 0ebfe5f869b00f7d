import type { Db } from '../catalog-context.js';
import type { PublishableKey } from '../generated/prisma/client.js';

export type { PublishableKey };

/** A key as the admin API shows it: never the key itself, nor its hash. */
export interface PublishableKeyView {
  id: string;
  name: string;
  keyPrefix: string;
  scopes: string[];
  rateLimitPerMinute: number;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
}

export function toPublishableKeyView(key: PublishableKey): PublishableKeyView {
  return {
    id: key.id,
    name: key.name,
    keyPrefix: key.keyPrefix,
    scopes: key.scopes,
    rateLimitPerMinute: key.rateLimitPerMinute,
    createdBy: key.createdBy,
    createdAt: key.createdAt.toISOString(),
    revokedAt: key.revokedAt ? key.revokedAt.toISOString() : null,
  };
}

export function insertPublishableKey(
  db: Db,
  key: Omit<PublishableKey, 'createdAt' | 'revokedAt'>,
): Promise<PublishableKey> {
  return db.publishableKey.create({ data: key });
}

/** Newest first; revoked keys are listed too (with `revokedAt`) unless `activeOnly`. */
export function listPublishableKeys(db: Db, options: { activeOnly: boolean }): Promise<PublishableKey[]> {
  return db.publishableKey.findMany({
    ...(options.activeOnly ? { where: { revokedAt: null } } : {}),
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
  });
}

export function findPublishableKey(db: Db, id: string): Promise<PublishableKey | null> {
  return db.publishableKey.findUnique({ where: { id } });
}

export function findPublishableKeyByHash(db: Db, keyHash: string): Promise<PublishableKey | null> {
  return db.publishableKey.findUnique({ where: { keyHash } });
}

/** Marks the key revoked (once: a second revocation keeps the first time). */
export async function revokePublishableKey(db: Db, id: string, at: Date): Promise<void> {
  await db.publishableKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: at } });
}
