import type { CatalogContext } from '../catalog-context.js';
import { listCategories, toCategoryView, type CategoryView } from '../db/categories.js';
import { buildCategoryTree, type CategoryNode } from '../domain/category-tree.js';
import { categoryNotFound } from './category-rules.js';

export type CategoryTreeNode = CategoryNode<CategoryView>;

const byName = (a: CategoryView, b: CategoryView) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id);

/** Every category, nested: the top-level categories with their subcategories below them. */
export async function getCategoryTree(ctx: CatalogContext): Promise<CategoryTreeNode[]> {
  const categories = (await listCategories(ctx.prisma)).map(toCategoryView);
  return buildCategoryTree(categories, byName);
}

/** One category with everything below it. */
export async function getCategorySubtree(ctx: CatalogContext, id: string): Promise<CategoryTreeNode> {
  const categories = (await listCategories(ctx.prisma)).map(toCategoryView);
  const node = findNode(buildCategoryTree(categories, byName), id);
  if (!node) throw categoryNotFound(id);
  return node;
}

function findNode(nodes: CategoryTreeNode[], id: string): CategoryTreeNode | undefined {
  for (const node of nodes) {
    if (node.id === id) return node;
    const found = findNode(node.children, id);
    if (found) return found;
  }
  return undefined;
}
