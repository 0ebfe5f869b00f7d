export interface PageInfo {
  /** 1-based page number; null when the page was asked for by cursor. */
  page: number | null;
  pageSize: number;
  totalItems: number;
  totalPages: number;
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

export function pageInfo(options: {
  page: number | null;
  pageSize: number;
  totalItems: number;
  nextCursor?: string | null;
}): PageInfo {
  return {
    page: options.page,
    pageSize: options.pageSize,
    totalItems: options.totalItems,
    totalPages: Math.ceil(options.totalItems / options.pageSize),
    nextCursor: options.nextCursor ?? null,
  };
}
