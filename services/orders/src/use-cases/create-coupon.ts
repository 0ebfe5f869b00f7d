import { randomUUID } from 'node:crypto';
import { AppError, invalidFields, type Principal } from '@fv/service-kit';
import type { IdempotentResult } from '@fv/service-runtime';
import { parseCouponInput, type CouponInput } from '../domain/coupon-input.js';
import { insertCoupon } from '../db/coupons-store.js';
import { toCouponView, type CouponView } from './coupon-view.js';
import { idempotentRequest } from './idempotent-request.js';
import type { OrdersDeps } from './orders-deps.js';

/**
 * Creates a promotion code (admin). Bad terms are a 400 naming each field, a code that exists already
 * a 409 (codes are compared upper case). Honours X-Idempotency-Key.
 */
export async function createCoupon(
  deps: OrdersDeps,
  caller: Principal,
  input: CouponInput,
  request: { idempotencyKey: string | undefined },
): Promise<IdempotentResult<CouponView>> {
  const parsed = parseCouponInput(input, new Date(deps.now()));
  if (!parsed.ok) throw invalidFields(parsed.issues);
  return idempotentRequest<CouponView>(
    deps,
    { callerId: caller.sub, operation: 'create-coupon', key: request.idempotencyKey, body: input },
    async (tx) => {
      const coupon = await insertCoupon(tx, { id: randomUUID(), ...parsed.terms });
      if (!coupon) {
        throw new AppError('CONFLICT', `A coupon with code ${parsed.terms.code} already exists`, {
          details: { field: 'body.code', reason: 'COUPON_CODE_TAKEN', code: parsed.terms.code },
        });
      }
      deps.logger.info({ couponId: coupon.id, code: coupon.code }, 'coupon created');
      return { statusCode: 201, body: toCouponView(coupon) };
    },
  );
}
