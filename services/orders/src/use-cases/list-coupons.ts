import { invalidFields, type SchemaType } from '@fv/service-kit';
import { listCoupons } from '../db/coupons-store.js';
import type { Db } from '../db/orders-store.js';
import type { listCouponsQuery } from '../routes/coupon-schemas.js';
import { toCouponView, type CouponView } from './coupon-view.js';

/** A page size (defaulted) and the cursor of the previous page, as GET /coupons takes them. */
export type ListCouponsInput = SchemaType<typeof listCouponsQuery>;

export interface CouponPage {
  coupons: CouponView[];
  pageInfo: { pageSize: number; nextCursor: string | null };
}

const encodeCursor = (code: string) => Buffer.from(JSON.stringify({ after: code })).toString('base64url');

function decodeCursor(cursor: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'string' && parsed.after.length > 0) return parsed.after;
  } catch {
    // reported below
  }
  throw invalidFields([
    { field: 'query.cursor', rule: 'format', message: 'is not a pageInfo.nextCursor of this list' },
  ]);
}

/** Coupons by code, a page at a time: `pageInfo.nextCursor` (null on the last page) asks for the next. */
export async function listCouponsPage(db: Db, input: ListCouponsInput): Promise<CouponPage> {
  const after = input.cursor === undefined ? null : decodeCursor(input.cursor);
  // One more than asked tells whether there is a next page.
  const rows = await listCoupons(db, input.limit + 1, after);
  const page = rows.slice(0, input.limit);
  const last = page[page.length - 1];
  return {
    coupons: page.map(toCouponView),
    pageInfo: {
      pageSize: input.limit,
      nextCursor: rows.length > input.limit && last ? encodeCursor(last.code) : null,
    },
  };
}
