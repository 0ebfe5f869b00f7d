import { describe, expect, it } from 'vitest';
import { pageInfo } from './page-info.js';

describe('page information', () => {
  it('counts a partly filled last page as a page', () => {
    expect(pageInfo({ page: 1, pageSize: 20, totalItems: 41 }).totalPages).toBe(3);
    expect(pageInfo({ page: 1, pageSize: 20, totalItems: 40 }).totalPages).toBe(2);
    expect(pageInfo({ page: 1, pageSize: 20, totalItems: 1 }).totalPages).toBe(1);
  });

  it('has no pages when nothing matches', () => {
    expect(pageInfo({ page: 1, pageSize: 20, totalItems: 0 })).toEqual({
      page: 1,
      pageSize: 20,
      totalItems: 0,
      totalPages: 0,
      nextCursor: null,
    });
  });

  it('gives the cursor of the next page, and none on the last page or when paging by number', () => {
    expect(pageInfo({ page: null, pageSize: 5, totalItems: 12, nextCursor: 'abc' })).toMatchObject({
      page: null,
      nextCursor: 'abc',
    });
    expect(pageInfo({ page: null, pageSize: 5, totalItems: 12, nextCursor: null }).nextCursor).toBeNull();
    expect(pageInfo({ page: 2, pageSize: 5, totalItems: 12 }).nextCursor).toBeNull();
  });
});
