import { AppError, invalidFields } from '@fv/service-kit';
import type { Db } from '../catalog-context.js';
import { findSiblingNamed } from '../db/categories.js';

export function categoryNotFound(id: string): AppError {
  return new AppError('NOT_FOUND', `Category ${id} does not exist`, { details: { categoryId: id } });
}

export function blankName(): AppError {
  return invalidFields([{ field: 'body.name', rule: 'minLength', message: 'must not be blank' }]);
}

/** Sibling categories have distinct names (ignoring case), so a path of names names one category. */
export async function assertNameFree(
  tx: Db,
  parentId: string | null,
  name: string,
  exceptId?: string,
): Promise<void> {
  const sibling = await findSiblingNamed(tx, parentId, name, exceptId);
  if (sibling) {
    throw new AppError('CONFLICT', `A category named ${sibling.name} already exists under the same parent`, {
      details: { field: 'body.name', categoryId: sibling.id, reason: 'DUPLICATE_CATEGORY_NAME' },
    });
  }
}
