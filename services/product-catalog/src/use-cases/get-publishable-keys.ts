import { AppError } from '@fv/service-kit';
import type { CatalogContext } from '../catalog-context.js';
import {
  findPublishableKey,
  listPublishableKeys,
  toPublishableKeyView,
  type PublishableKeyView,
} from '../db/publishable-keys.js';

export function publishableKeyNotFound(id: string): AppError {
  return new AppError('NOT_FOUND', `Publishable key ${id} does not exist`, {
    details: { publishableKeyId: id },
  });
}

/** Every key, newest first (revoked ones too unless `activeOnly`); never the keys themselves. */
export async function getPublishableKeys(
  ctx: CatalogContext,
  options: { activeOnly: boolean },
): Promise<{ items: PublishableKeyView[] }> {
  return { items: (await listPublishableKeys(ctx.prisma, options)).map(toPublishableKeyView) };
}

export async function getPublishableKey(ctx: CatalogContext, id: string): Promise<PublishableKeyView> {
  const row = await findPublishableKey(ctx.prisma, id);
  if (!row) throw publishableKeyNotFound(id);
  return toPublishableKeyView(row);
}
