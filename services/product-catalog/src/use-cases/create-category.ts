import { randomUUID } from 'node:crypto';
import { invalidFields } from '@fv/service-kit';
import { idempotently, type IdempotentRequest, type IdempotentResult } from '@fv/service-runtime';
import { idempotencyOptions, type CatalogContext } from '../catalog-context.js';
import {
  findCategory,
  insertCategory,
  lockCategoryTree,
  toCategoryView,
  type CategoryView,
} from '../db/categories.js';
import { assertNameFree, blankName } from './category-rules.js';

export interface CreateCategoryInput {
  name: string;
  description: string | null;
  parentId: string | null;
  idempotency: IdempotentRequest | null;
}

export async function createCategory(
  ctx: CatalogContext,
  input: CreateCategoryInput,
): Promise<IdempotentResult<CategoryView>> {
  const name = input.name.trim();
  if (!name) throw blankName();
  return ctx.transaction((tx) =>
    idempotently<CategoryView>(
      tx,
      input.idempotency,
      async () => {
        await lockCategoryTree(tx);
        if (input.parentId !== null && !(await findCategory(tx, input.parentId))) {
          throw invalidFields([
            { field: 'body.parentId', rule: 'exists', message: `category ${input.parentId} does not exist` },
          ]);
        }
        await assertNameFree(tx, input.parentId, name);
        const category = await insertCategory(tx, {
          id: randomUUID(),
          name,
          description: input.description?.trim() || null,
          parentId: input.parentId,
        });
        return { statusCode: 201, body: toCategoryView(category) };
      },
      idempotencyOptions(ctx),
    ),
  );
}
