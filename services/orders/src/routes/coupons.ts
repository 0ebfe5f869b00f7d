import { requirePrincipal, withSchemaTypes } from '@fv/service-kit';
import { idempotencyHeaders, sendIdempotent } from '@fv/service-runtime';
import type { FastifyInstance } from 'fastify';
import { createCoupon } from '../use-cases/create-coupon.js';
import { deactivateCoupon } from '../use-cases/deactivate-coupon.js';
import { getCoupon } from '../use-cases/get-coupon.js';
import { listCouponsPage } from '../use-cases/list-coupons.js';
import type { OrdersDeps } from '../use-cases/orders-deps.js';
import {
  couponIdParams,
  couponListResponse,
  couponResponse,
  createCouponBody,
  listCouponsQuery,
} from './coupon-schemas.js';

const TAGS = ['coupons'];
/** Promotion codes are managed by administrators only. */
const ADMIN = { roles: ['admin'] } as const;

/** Promotion codes under /api/v1 (admin): create, list, read, deactivate. */
export function couponsRoutes(instance: FastifyInstance, deps: OrdersDeps): void {
  const app = withSchemaTypes(instance);
  app.post(
    '/coupons',
    {
      config: ADMIN,
      schema: {
        tags: TAGS,
        summary: 'Create a promotion code (admin)',
        description:
          'A percentage or fixed discount, with validity dates, a minimum order value and usage limits in all and per customer. Orders name it in couponCode; it is applied after the reservation and before the payment.',
        headers: idempotencyHeaders,
        body: createCouponBody(deps.config.ORDER_CURRENCIES),
        response: {
          201: { description: 'The coupon', ...couponResponse },
          409: {
            description:
              'CONFLICT: the code exists already, or the idempotency key was used with another body',
            $ref: 'ErrorEnvelope#',
          },
        },
      },
    },
    async (request, reply) =>
      sendIdempotent(
        reply,
        await createCoupon(deps, requirePrincipal(request), request.body, {
          idempotencyKey: request.headers['x-idempotency-key'],
        }),
      ),
  );

  app.get(
    '/coupons',
    {
      config: ADMIN,
      schema: {
        tags: TAGS,
        summary: 'List promotion codes (admin)',
        description: 'By code, a page at a time; pageInfo.nextCursor asks for the next page.',
        querystring: listCouponsQuery,
        response: { 200: couponListResponse },
      },
    },
    async (request) => listCouponsPage(deps.prisma, request.query),
  );

  app.get(
    '/coupons/:id',
    {
      config: ADMIN,
      schema: {
        tags: TAGS,
        summary: 'Get a promotion code (admin)',
        params: couponIdParams,
        response: { 200: couponResponse, 404: { description: 'NOT_FOUND', $ref: 'ErrorEnvelope#' } },
      },
    },
    async (request) => getCoupon(deps.prisma, request.params.id),
  );

  app.delete(
    '/coupons/:id',
    {
      config: ADMIN,
      schema: {
        tags: TAGS,
        summary: 'Deactivate a promotion code (admin)',
        description:
          'The coupon stays (orders name it) but is no longer applied: orders that try it are rejected with COUPON_INACTIVE. Answers the deactivated coupon.',
        params: couponIdParams,
        response: { 200: couponResponse, 404: { description: 'NOT_FOUND', $ref: 'ErrorEnvelope#' } },
      },
    },
    async (request) => deactivateCoupon(deps, request.params.id),
  );
}
