import { AppError } from '@fv/service-kit';
import { describe, expect, it } from 'vitest';
import { blankName, categoryNotFound } from './category-rules.js';

describe('category errors', () => {
  it('answers an unknown category with 404, naming it', () => {
    const error = categoryNotFound('c-1');
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: 'NOT_FOUND',
      status: 404,
      message: 'Category c-1 does not exist',
      details: { categoryId: 'c-1' },
    });
  });

  it('refuses a blank name as an invalid body.name', () => {
    const error = blankName();
    expect(error).toMatchObject({ code: 'INVALID_REQUEST', status: 400 });
    expect(error.details.fields).toEqual([
      { field: 'body.name', rule: 'minLength', message: 'must not be blank' },
    ]);
  });
});
