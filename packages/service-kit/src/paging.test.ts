import { describe, expect, it } from 'vitest';
import { pagination, springPage, springPageOf } from './paging.js';

describe('paging', () => {
  it('counts the pages a total fills, the last one partly', () => {
    expect(pagination(2, 20, 41)).toEqual({ page: 2, size: 20, totalElements: 41, totalPages: 3 });
    expect(pagination(0, 20, 40).totalPages).toBe(2);
    expect(pagination(0, 20, 0).totalPages).toBe(0);
  });

  it("gives a page in Spring Data's shape", () => {
    expect(springPage(['a', 'b'], 7, { page: 1, size: 2 })).toEqual({
      content: ['a', 'b'],
      totalElements: 7,
      totalPages: 4,
      number: 1,
      size: 2,
    });
  });

  it('lists the page the query asks for, and shows each row', async () => {
    const asked: unknown[] = [];
    const answer = await springPageOf(
      { page: 2, size: 3, status: 'SENT' } as { page: number; size: number },
      async (page) => {
        asked.push(page);
        return { rows: [{ id: 7 }, { id: 8 }], total: 8 };
      },
      (row) => `row-${row.id}`,
    );
    expect(asked).toEqual([{ page: 2, size: 3 }]);
    expect(answer).toEqual({
      content: ['row-7', 'row-8'],
      totalElements: 8,
      totalPages: 3,
      number: 2,
      size: 3,
    });
  });
});
