import { AppError } from '@fv/service-kit';
import type { CatalogContext } from '../catalog-context.js';
import { findLiveProduct, toProductView, type ProductView } from '../db/products.js';

export async function getProduct(ctx: CatalogContext, id: string): Promise<ProductView> {
  const record = await findLiveProduct(ctx.prisma, id);
  if (!record)
    throw new AppError('NOT_FOUND', `Product ${id} does not exist`, { details: { productId: id } });
  return toProductView(record);
}
