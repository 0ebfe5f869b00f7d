import { dateOf, dateOrNull, textOrNull as text, type Row } from '@fv/database';
import {
  evaluateCoupon,
  type CouponDecision,
  type CouponTerms,
  type DiscountKind,
} from '../domain/coupon-rules.js';
import type { CouponTermsInput } from '../domain/coupon-input.js';
import type { Db } from './orders-store.js';

/**
 * Promotion codes and their uses. Limits are enforced by the database, never by reading a count and
 * writing after it: the coupon's `uses` is raised by a conditional UPDATE (`uses < usage_limit`), the
 * customer's count by a conditional upsert, and one order holds at most one redemption row. Under
 * READ COMMITTED a concurrent UPDATE of the same coupon row waits for the first and re-checks the
 * condition, so 50 orders racing for a code limited to 10 uses get exactly 10.
 */

export interface CouponRecord extends CouponTerms {
  id: string;
  usageLimit: number | null;
  perCustomerLimit: number | null;
  uses: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A coupon to create: its terms, its id and its usage limits (null: unlimited). */
export interface NewCoupon extends CouponTermsInput {
  id: string;
}

const COUPON_COLUMNS = `id::text as id, code, kind, value::text as value, currency, valid_from, valid_until,
  minimum_order_value::text as minimum_order_value, usage_limit, per_customer_limit, uses, active, created_at, updated_at`;

function toCoupon(row: Row): CouponRecord {
  return {
    id: String(row.id),
    code: String(row.code),
    kind: String(row.kind) as DiscountKind,
    value: String(row.value),
    currency: text(row.currency),
    validFrom: dateOf(row.valid_from),
    validUntil: dateOrNull(row.valid_until),
    minimumOrderValue: text(row.minimum_order_value),
    usageLimit: row.usage_limit === null || row.usage_limit === undefined ? null : Number(row.usage_limit),
    perCustomerLimit:
      row.per_customer_limit === null || row.per_customer_limit === undefined
        ? null
        : Number(row.per_customer_limit),
    uses: Number(row.uses),
    active: Boolean(row.active),
    createdAt: dateOf(row.created_at),
    updatedAt: dateOf(row.updated_at),
  };
}

/** Inserts a coupon; null when the code exists already (unique index). */
export async function insertCoupon(db: Db, coupon: NewCoupon): Promise<CouponRecord | null> {
  const rows = await db.$queryRawUnsafe<Row[]>(
    `insert into coupons (id, code, kind, value, currency, valid_from, valid_until, minimum_order_value,
       usage_limit, per_customer_limit, active)
     values ($1::uuid, $2, $3, $4::numeric, $5, $6::timestamptz, $7::timestamptz, $8::numeric, $9::int, $10::int, $11)
     on conflict (code) do nothing
     returning ${COUPON_COLUMNS}`,
    coupon.id,
    coupon.code,
    coupon.kind,
    coupon.value,
    coupon.currency,
    coupon.validFrom.toISOString(),
    coupon.validUntil?.toISOString() ?? null,
    coupon.minimumOrderValue,
    coupon.usageLimit,
    coupon.perCustomerLimit,
    coupon.active,
  );
  return rows[0] ? toCoupon(rows[0]) : null;
}

export async function findCouponByCode(db: Db, code: string): Promise<CouponRecord | null> {
  const rows = await db.$queryRawUnsafe<Row[]>(`select ${COUPON_COLUMNS} from coupons where code = $1`, code);
  return rows[0] ? toCoupon(rows[0]) : null;
}

export async function findCoupon(db: Db, id: string): Promise<CouponRecord | null> {
  const rows = await db.$queryRawUnsafe<Row[]>(
    `select ${COUPON_COLUMNS} from coupons where id = $1::uuid`,
    id,
  );
  return rows[0] ? toCoupon(rows[0]) : null;
}

/** Coupons by code, `limit` at a time after the code `after`. */
export async function listCoupons(db: Db, limit: number, after: string | null): Promise<CouponRecord[]> {
  const rows = await db.$queryRawUnsafe<Row[]>(
    `select ${COUPON_COLUMNS} from coupons where ($1::text is null or code > $1) order by code limit $2::int`,
    after,
    limit,
  );
  return rows.map(toCoupon);
}

export interface RedeemRequest {
  code: string;
  orderId: string;
  customerId: string;
  total: string;
  currency: string;
  now: Date;
}

/** A coupon's decision for an order, with the coupon's id when it exists. */
export type Redemption = CouponDecision & { couponId: string | null };

/**
 * Takes one use of `code` for an order inside the caller's transaction, or says why not. Applying the
 * same order twice (a redelivered event) returns the redemption it already holds.
 */
export async function redeemCoupon(db: Db, request: RedeemRequest): Promise<Redemption> {
  const coupon = await findCouponByCode(db, request.code);
  const decision = { ...evaluateCoupon(coupon, request, request.now), couponId: coupon?.id ?? null };
  if (!coupon || !decision.applied) return decision;

  const held = await db.$queryRawUnsafe<Row[]>(
    `select discount::text as discount from coupon_redemptions where order_id = $1::uuid and status = 'ACTIVE'`,
    request.orderId,
  );
  if (held[0]) return decision;

  const counted = await db.$queryRawUnsafe<Row[]>(
    `update coupons set uses = uses + 1, updated_at = now()
       where id = $1::uuid and (usage_limit is null or uses < usage_limit) returning uses`,
    coupon.id,
  );
  if (!counted[0]) {
    return {
      applied: false,
      reason: 'COUPON_USAGE_LIMIT_REACHED',
      message: `${coupon.code} has been used up`,
      couponId: coupon.id,
    };
  }
  if (coupon.perCustomerLimit !== null) {
    const mine = await db.$queryRawUnsafe<Row[]>(
      `insert into coupon_customer_uses as u (coupon_id, customer_id, uses) values ($1::uuid, $2::uuid, 1)
         on conflict (coupon_id, customer_id) do update set uses = u.uses + 1 where u.uses < $3::int
         returning u.uses`,
      coupon.id,
      request.customerId,
      coupon.perCustomerLimit,
    );
    if (!mine[0]) {
      await db.$executeRawUnsafe(`update coupons set uses = uses - 1 where id = $1::uuid`, coupon.id);
      return {
        applied: false,
        reason: 'COUPON_CUSTOMER_LIMIT_REACHED',
        message: `${coupon.code} can be used ${coupon.perCustomerLimit} time(s) per customer`,
        couponId: coupon.id,
      };
    }
  }
  await db.$executeRawUnsafe(
    `insert into coupon_redemptions (order_id, coupon_id, customer_id, discount, status, released_at)
       values ($1::uuid, $2::uuid, $3::uuid, $4::numeric, 'ACTIVE', null)
     on conflict (order_id) do update set coupon_id = excluded.coupon_id, discount = excluded.discount,
       status = 'ACTIVE', released_at = null`,
    request.orderId,
    coupon.id,
    request.customerId,
    decision.discount,
  );
  return decision;
}

/** The use of a coupon an order gave back. */
export interface ReleasedCoupon {
  couponId: string;
  discount: string;
}

/**
 * Gives back the use an order holds (the "cancel coupon" compensation); null when it held none.
 * Idempotent: a released redemption is not released twice.
 */
export async function releaseCoupon(db: Db, orderId: string): Promise<ReleasedCoupon | null> {
  const released = await db.$queryRawUnsafe<Row[]>(
    `update coupon_redemptions set status = 'RELEASED', released_at = now()
       where order_id = $1::uuid and status = 'ACTIVE'
     returning coupon_id::text as coupon_id, customer_id::text as customer_id, discount::text as discount`,
    orderId,
  );
  const row = released[0];
  if (!row) return null;
  await db.$executeRawUnsafe(
    `update coupons set uses = uses - 1, updated_at = now() where id = $1::uuid and uses > 0`,
    String(row.coupon_id),
  );
  await db.$executeRawUnsafe(
    `update coupon_customer_uses set uses = uses - 1 where coupon_id = $1::uuid and customer_id = $2::uuid and uses > 0`,
    String(row.coupon_id),
    String(row.customer_id),
  );
  return { couponId: String(row.coupon_id), discount: String(row.discount) };
}

/** Turns a coupon on or off (an inactive code is rejected); null when there is no such coupon. */
export async function setCouponActive(db: Db, id: string, active: boolean): Promise<CouponRecord | null> {
  const rows = await db.$queryRawUnsafe<Row[]>(
    `update coupons set active = $2, updated_at = now() where id = $1::uuid returning ${COUPON_COLUMNS}`,
    id,
    active,
  );
  return rows[0] ? toCoupon(rows[0]) : null;
}
