import { invalidFields } from '@fv/service-kit';
import type { CatalogContext } from '../catalog-context.js';
import {
  findCategory,
  listCategories,
  lockCategoryTree,
  toCategoryView,
  updateCategory,
  type CategoryView,
} from '../db/categories.js';
import { findCycle } from '../domain/category-tree.js';
import { assertNameFree, blankName, categoryNotFound } from './category-rules.js';

export interface UpdateCategoryInput {
  id: string;
  name?: string;
  description?: string | null;
  /** null moves the category to the top level. */
  parentId?: string | null;
}

/** Renames, re-describes or moves a category; a move that would put a category below itself is refused. */
export async function updateCategoryDetails(
  ctx: CatalogContext,
  input: UpdateCategoryInput,
): Promise<CategoryView> {
  const name = input.name?.trim();
  if (name === '') throw blankName();
  return ctx.transaction(async (tx) => {
    await lockCategoryTree(tx);
    const current = await findCategory(tx, input.id);
    if (!current) throw categoryNotFound(input.id);
    const parentId = input.parentId === undefined ? current.parentId : input.parentId;
    if (input.parentId !== undefined && input.parentId !== null) {
      const categories = await listCategories(tx);
      if (!categories.some((category) => category.id === input.parentId)) {
        throw invalidFields([
          { field: 'body.parentId', rule: 'exists', message: `category ${input.parentId} does not exist` },
        ]);
      }
      const cycle = findCycle(categories, input.id, input.parentId);
      if (cycle) {
        throw invalidFields([
          {
            field: 'body.parentId',
            rule: 'acyclic',
            message: `would make category ${input.id} its own ancestor (${cycle.join(' -> ')})`,
          },
        ]);
      }
    }
    const nextName = name ?? current.name;
    if (nextName.toLowerCase() !== current.name.toLowerCase() || parentId !== current.parentId) {
      await assertNameFree(tx, parentId, nextName, input.id);
    }
    const updated = await updateCategory(tx, input.id, {
      ...(name !== undefined ? { name } : {}),
      ...(input.description !== undefined ? { description: input.description?.trim() || null } : {}),
      ...(input.parentId !== undefined ? { parentId: input.parentId } : {}),
    });
    return toCategoryView(updated);
  });
}
