/** Where a page starts and how long it is, as the paging query parameters give them (0-based page). */
export interface PageRequest {
  page: number;
  size: number;
}

/** The `pagination` object beside a list (seed 001): page, size, totalElements, totalPages. */
export function pagination(page: number, size: number, totalElements: number) {
  return { page, size, totalElements, totalPages: Math.ceil(totalElements / size) };
}

export const paginationSchema = {
  type: 'object',
  required: ['page', 'size', 'totalElements', 'totalPages'],
  properties: {
    page: { type: 'integer' },
    size: { type: 'integer' },
    totalElements: { type: 'integer' },
    totalPages: { type: 'integer' },
  },
} as const;

/** A page in the shape of Spring Data's `Page` (seed 002's delivery and notification lists). */
export function springPage<T>(content: T[], totalElements: number, request: PageRequest) {
  return {
    content,
    totalElements,
    totalPages: Math.ceil(totalElements / request.size),
    number: request.page,
    size: request.size,
  };
}

/**
 * A paged list's answer in Spring's page shape: the rows `list` finds for the page the query asks for
 * (its `page` and `size`), each shown by `view`.
 */
export async function springPageOf<R, V>(
  query: PageRequest,
  list: (page: PageRequest) => Promise<{ rows: R[]; total: number }>,
  view: (row: R) => V,
) {
  const page = { page: query.page, size: query.size };
  const { rows, total } = await list(page);
  return springPage(rows.map(view), total, page);
}

/** The response schema of `springPage` for items of schema `items`. */
export function springPageSchema<S extends object>(items: S) {
  return {
    type: 'object',
    properties: {
      content: { type: 'array', items },
      totalElements: { type: 'integer' },
      totalPages: { type: 'integer' },
      number: { type: 'integer' },
      size: { type: 'integer' },
    },
  } as const;
}
