import { parseId, requirePrincipal, withSchemaTypes, type SchemaTypedApp } from '@fv/service-kit';
import { idempotencyHeaders, sendIdempotent } from '@fv/service-runtime';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { cancelOrder } from '../use-cases/cancel-order.js';
import { getOrder } from '../use-cases/get-order.js';
import { getOrderStatus } from '../use-cases/get-order-status.js';
import { listOrdersFor } from '../use-cases/list-orders.js';
import type { OrdersDeps } from '../use-cases/orders-deps.js';
import { ORDER_ACCEPTED, placeOrder } from '../use-cases/place-order.js';
import { refundOrder } from '../use-cases/refund-order.js';
import {
  cancelOrderBody,
  listOrdersQuery,
  orderIdParams,
  orderListResponse,
  orderResponse,
  orderStatusResponse,
  placeOrderBody,
  refundOrderBody,
} from './order-schemas.js';

const TAGS = ['orders'];

/** Which services may call what (a customer or an admin is admitted by role alone). */
export const ORDER_READERS = ['platform-coordination', 'delivery', 'notifications'];
/** The coordination service places an order when a workflow starts without one. */
const PLACERS = ['platform-coordination'];
const READERS = ORDER_READERS;
const CANCELLERS = ['platform-coordination'];
/** A refund follows a received return; notifications may never refund. */
const REFUNDERS = ['platform-coordination', 'delivery'];

interface IdempotencyHeader {
  'x-idempotency-key'?: string;
}

function requestMeta(request: { headers: IdempotencyHeader; traceContext: FastifyRequest['traceContext'] }) {
  return {
    idempotencyKey: request.headers['x-idempotency-key'],
    traceparent: request.traceContext.traceparent,
  };
}

/** Cancel and refund may be sent without a body: it then means "no options". */
async function emptyBodyIsNoOptions(request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {};
}

/** Orders under /api/v1: place, read, list, cancel and refund. */
export function ordersRoutes(instance: FastifyInstance, deps: OrdersDeps): void {
  const app = withSchemaTypes(instance);
  registerPlaceOrder(app, deps);
  registerListOrders(app, deps);
  registerGetOrder(app, deps);
  registerGetOrderStatus(app, deps);
  registerCancelOrder(app, deps);
  registerRefundOrder(app, deps);
}

/** POST /orders: answered 202 with the order's Location and its status monitor. */
function registerPlaceOrder(app: SchemaTypedApp, deps: OrdersDeps): void {
  const { config } = deps;
  const placeBody = placeOrderBody({
    currencies: config.ORDER_CURRENCIES,
    maxQuantityPerLine: config.ORDER_MAX_QUANTITY_PER_LINE,
    maxLines: config.ORDER_MAX_LINES,
  });
  app.post(
    '/orders',
    {
      config: { roles: ['customer', 'admin', 'service'], services: PLACERS },
      schema: {
        tags: TAGS,
        summary: 'Place an order',
        description:
          'Prices every line from the catalog price list this service keeps, stores the order as PENDING and publishes OrderCreated, ' +
          'and answers 202 Accepted: the order saga (reservation, payment, delivery) runs on its own afterwards. ' +
          'Location names the order; its status and saga steps are at the URL of the Link header (rel="monitor"), GET /orders/{id}/status.',
        headers: idempotencyHeaders,
        body: placeBody,
        response: {
          202: {
            description:
              'Accepted: the order, PENDING. A replay (the same idempotency key and body, or the same client-chosen orderId for the same customer) answers 202 with the order as it is',
            headers: {
              location: { type: 'string', description: 'The order: /api/v1/orders/{id}' },
              link: {
                type: 'string',
                description: 'The status monitor of the order: </api/v1/orders/{id}/status>; rel="monitor"',
              },
            },
            ...orderResponse,
          },
          409: {
            description:
              "CONFLICT: the idempotency key was used with another body, or the client-chosen orderId is another customer's order (details.reason ORDER_ID_TAKEN)",
            $ref: 'ErrorEnvelope#',
          },
          422: {
            description:
              'UNPROCESSABLE_ENTITY: an unknown or unavailable product, a unit price or amount that disagrees with the catalog (details.lines)',
            $ref: 'ErrorEnvelope#',
          },
        },
      },
    },
    async (request, reply) => {
      const result = await placeOrder(deps, requirePrincipal(request), request.body, requestMeta(request));
      if (result.statusCode === ORDER_ACCEPTED) {
        const order = `/api/v1/orders/${result.body.orderId}`;
        reply.header('location', order).header('link', `<${order}/status>; rel="monitor"`);
      }
      return sendIdempotent(reply, result);
    },
  );
}

/** GET /orders: a page of orders, a customer's own only. */
function registerListOrders(app: SchemaTypedApp, deps: OrdersDeps): void {
  app.get(
    '/orders',
    {
      config: { roles: ['customer', 'admin', 'service'], services: READERS },
      schema: {
        tags: TAGS,
        summary: 'List orders',
        description:
          'Filters by status, customer and creation time, newest first by default; customers see only their own orders.',
        querystring: listOrdersQuery,
        response: { 200: orderListResponse },
      },
    },
    async (request) => listOrdersFor(deps.prisma, requirePrincipal(request), request.query),
  );
}

/** GET /orders/{id}. */
function registerGetOrder(app: SchemaTypedApp, deps: OrdersDeps): void {
  app.get(
    '/orders/:id',
    {
      config: { roles: ['customer', 'admin', 'service'], services: READERS },
      schema: {
        tags: TAGS,
        summary: 'Get an order',
        params: orderIdParams,
        response: { 200: orderResponse, 404: { description: 'NOT_FOUND', $ref: 'ErrorEnvelope#' } },
      },
    },
    async (request) => getOrder(deps.sql, requirePrincipal(request), parseId(request.params.id, 'ord')!),
  );
}

/** GET /orders/{id}/status: the order's status, saga steps and status history. */
function registerGetOrderStatus(app: SchemaTypedApp, deps: OrdersDeps): void {
  app.get(
    '/orders/:id/status',
    {
      config: { roles: ['customer', 'admin', 'service'], services: READERS },
      schema: {
        tags: TAGS,
        summary: "Get an order's status",
        description:
          'Status, failure reason or cancellation, the saga steps this service has seen and what it waits for next, and the time of every status change.',
        params: orderIdParams,
        response: { 200: orderStatusResponse, 404: { description: 'NOT_FOUND', $ref: 'ErrorEnvelope#' } },
      },
    },
    async (request) =>
      getOrderStatus(deps.sql, requirePrincipal(request), parseId(request.params.id, 'ord')!),
  );
}

/** POST /orders/{id}/cancel. */
function registerCancelOrder(app: SchemaTypedApp, deps: OrdersDeps): void {
  app.post(
    '/orders/:id/cancel',
    {
      config: { roles: ['customer', 'admin', 'service'], services: CANCELLERS },
      preValidation: emptyBodyIsNoOptions,
      schema: {
        tags: TAGS,
        summary: 'Cancel an order that has not shipped',
        description:
          'Voids an authorized payment (PaymentVoided) and cancels the order (OrderCancelled). A cancelled order is returned as it is.',
        params: orderIdParams,
        headers: idempotencyHeaders,
        body: cancelOrderBody,
        response: {
          200: orderResponse,
          404: { description: 'NOT_FOUND', $ref: 'ErrorEnvelope#' },
          409: {
            description:
              'CONFLICT: the order has shipped (refund it instead), or the idempotency key was reused',
            $ref: 'ErrorEnvelope#',
          },
          503: {
            description:
              'SERVICE_UNAVAILABLE: the payment provider could not void the payment; nothing changed',
            $ref: 'ErrorEnvelope#',
          },
        },
      },
    },
    async (request, reply) =>
      sendIdempotent(
        reply,
        await cancelOrder(
          deps,
          requirePrincipal(request),
          parseId(request.params.id, 'ord')!,
          request.body,
          requestMeta(request),
        ),
      ),
  );
}

/** POST /orders/{id}/refund. */
function registerRefundOrder(app: SchemaTypedApp, deps: OrdersDeps): void {
  app.post(
    '/orders/:id/refund',
    {
      config: { roles: ['admin', 'service'], services: REFUNDERS },
      preValidation: emptyBodyIsNoOptions,
      schema: {
        tags: TAGS,
        summary: 'Refund a completed order, in full or in part',
        description: 'Refunds through the payment provider and publishes PaymentRefunded and OrderRefunded.',
        params: orderIdParams,
        headers: idempotencyHeaders,
        body: refundOrderBody,
        response: {
          200: orderResponse,
          404: { description: 'NOT_FOUND', $ref: 'ErrorEnvelope#' },
          409: {
            description: 'CONFLICT: the order has no captured payment, or the idempotency key was reused',
            $ref: 'ErrorEnvelope#',
          },
          422: {
            description: 'UNPROCESSABLE_ENTITY: the amount exceeds what is refundable',
            $ref: 'ErrorEnvelope#',
          },
          503: {
            description: 'SERVICE_UNAVAILABLE: the payment provider could not refund; nothing changed',
            $ref: 'ErrorEnvelope#',
          },
        },
      },
    },
    async (request, reply) =>
      sendIdempotent(
        reply,
        await refundOrder(
          deps,
          requirePrincipal(request),
          parseId(request.params.id, 'ord')!,
          request.body,
          requestMeta(request),
        ),
      ),
  );
}
