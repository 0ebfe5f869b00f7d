import { AppError } from '@fv/service-kit';
import type { CatalogContext } from '../catalog-context.js';
import {
  categoryUsage,
  deleteCategory as removeCategory,
  findCategory,
  lockCategoryTree,
} from '../db/categories.js';
import { categoryNotFound } from './category-rules.js';

/** Deletes an empty category: one with subcategories or live products is refused with 409. */
export async function deleteCategory(ctx: CatalogContext, id: string): Promise<void> {
  await ctx.transaction(async (tx) => {
    await lockCategoryTree(tx);
    if (!(await findCategory(tx, id))) throw categoryNotFound(id);
    const usage = await categoryUsage(tx, id);
    if (usage.children > 0 || usage.liveProducts > 0) {
      throw new AppError(
        'CONFLICT',
        `Category ${id} still has ${usage.children} subcategories and ${usage.liveProducts} products`,
        {
          details: {
            categoryId: id,
            subcategories: usage.children,
            products: usage.liveProducts,
            reason: 'CATEGORY_NOT_EMPTY',
          },
        },
      );
    }
    await removeCategory(tx, id);
  });
}
