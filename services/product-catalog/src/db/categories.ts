import type { Db } from '../catalog-context.js';
import type { Category } from '../generated/prisma/client.js';

export interface CategoryView {
  id: string;
  name: string;
  description: string | null;
  parentId: string | null;
  createdAt: string;
  updatedAt: string;
}

export function toCategoryView(category: Category): CategoryView {
  return {
    id: category.id,
    name: category.name,
    description: category.description,
    parentId: category.parentId,
    createdAt: category.createdAt.toISOString(),
    updatedAt: category.updatedAt.toISOString(),
  };
}

// Arbitrary constant naming "the category tree" for pg_advisory_xact_lock.
const CATEGORY_TREE_LOCK = 727_274_082;

/** Serialises changes to the tree until the transaction ends, so two moves cannot close a cycle together. */
export async function lockCategoryTree(db: Db): Promise<void> {
  await db.$executeRaw`select pg_advisory_xact_lock(${CATEGORY_TREE_LOCK}::bigint)`;
}

export function listCategories(db: Db): Promise<Category[]> {
  return db.category.findMany({ orderBy: [{ name: 'asc' }, { id: 'asc' }] });
}

export function findCategory(db: Db, id: string): Promise<Category | null> {
  return db.category.findUnique({ where: { id } });
}

/** A sibling (same parent) whose name equals `name`, ignoring case. */
export function findSiblingNamed(
  db: Db,
  parentId: string | null,
  name: string,
  exceptId?: string,
): Promise<Category | null> {
  return db.category.findFirst({
    where: {
      parentId,
      name: { equals: name, mode: 'insensitive' },
      ...(exceptId ? { id: { not: exceptId } } : {}),
    },
  });
}

export function insertCategory(
  db: Db,
  category: { id: string; name: string; description: string | null; parentId: string | null },
): Promise<Category> {
  return db.category.create({ data: category });
}

export function updateCategory(
  db: Db,
  id: string,
  changes: { name?: string; description?: string | null; parentId?: string | null },
): Promise<Category> {
  return db.category.update({ where: { id }, data: changes });
}

export async function categoryUsage(db: Db, id: string): Promise<{ children: number; liveProducts: number }> {
  const [children, liveProducts] = await Promise.all([
    db.category.count({ where: { parentId: id } }),
    db.product.count({ where: { categoryId: id, deletedAt: null } }),
  ]);
  return { children, liveProducts };
}

/** Removes a category; deleted products that still point at it lose the reference. */
export async function deleteCategory(db: Db, id: string): Promise<void> {
  await db.product.updateMany({
    where: { categoryId: id, deletedAt: { not: null } },
    data: { categoryId: null },
  });
  await db.category.delete({ where: { id } });
}
