import { randomUUID } from 'node:crypto';
import { invalidFields } from '@fv/service-kit';
import type { CatalogContext } from '../catalog-context.js';
import {
  findCategory,
  insertCategory,
  lockCategoryTree,
  toCategoryView,
  type CategoryView,
} from '../db/categories.js';
import { answerOnce, type Answer, type IdempotencyInput } from './idempotent-request.js';
import { assertNameFree, blankName } from './category-rules.js';

export interface CreateCategoryInput {
  name: string;
  description: string | null;
  parentId: string | null;
  idempotency: IdempotencyInput | null;
}

export async function createCategory(
  ctx: CatalogContext,
  input: CreateCategoryInput,
): Promise<Answer<CategoryView>> {
  const name = input.name.trim();
  if (!name) throw blankName();
  return ctx.transaction((tx) =>
    answerOnce<CategoryView>(tx, input.idempotency, ctx.config.IDEMPOTENCY_KEY_TTL_HOURS, async () => {
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
      return { status: 201, body: toCategoryView(category) };
    }),
  );
}
