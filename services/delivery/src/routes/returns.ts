import {
  customerScope,
  findVisible,
  idParams,
  parseId,
  recordNotFound,
  requirePrincipal,
  springPage,
  springPageSchema,
  withSchemaTypes,
} from '@fv/service-kit';
import { idempotencyHeaders, idempotently, idempotentRequestOf, sendIdempotent } from '@fv/service-runtime';
import type { FastifyInstance } from 'fastify';
import { findReturnById, listReturns } from '../db/returns.js';
import { ITEM_CONDITIONS, RETURN_REASONS, RETURN_STATUSES } from '../domain/returns.js';
import { receiveReturn } from '../use-cases/receive-return.js';
import { requestReturn } from '../use-cases/request-return.js';
import type { RouteContext } from './route-context.js';
import { idSchema, pagingQuery, returnSchema } from './schemas.js';
import { returnView } from './views.js';

const tags = ['returns'];
const returnParams = idParams('returnId', idSchema);

function returnNotFound(returnId: string) {
  return recordNotFound('Return', 'returnId', returnId);
}

/** Returns: requested by the customer of a delivered shipment, received and inspected by the warehouse. */
export async function returnRoutes(
  instance: FastifyInstance,
  { prisma, transaction, deps }: RouteContext,
): Promise<void> {
  const app = withSchemaTypes(instance);
  app.post(
    '/returns',
    {
      config: { roles: ['customer', 'admin', 'service'], services: ['orders', 'platform-coordination'] },
      schema: {
        tags,
        summary: 'Request a return of items of a delivered shipment',
        description: `Allowed for delivered shipments within the return window (RETURN_WINDOW_DAYS after delivery); otherwise 422 with details.reason SHIPMENT_NOT_DELIVERED or RETURN_WINDOW_EXPIRED. Items must be lines of the shipment, up to the units not yet returned (422 RETURN_ITEMS_INVALID). Publishes ReturnRequested.`,
        headers: idempotencyHeaders,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['shipmentId', 'reason', 'items'],
          properties: {
            shipmentId: idSchema,
            reason: { type: 'string', enum: RETURN_REASONS },
            comment: { type: 'string', maxLength: 1000, nullable: true },
            items: {
              type: 'array',
              minItems: 1,
              maxItems: 100,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['productId', 'quantity'],
                properties: {
                  productId: { type: 'string', minLength: 1, maxLength: 100 },
                  quantity: { type: 'integer', minimum: 1, maximum: 100000 },
                  reason: { type: 'string', enum: RETURN_REASONS, nullable: true },
                },
              },
            },
          },
        },
        response: { 201: returnSchema },
      },
    },
    async (request, reply) => {
      const principal = requirePrincipal(request);
      const body = request.body;
      const result = await transaction((tx) =>
        idempotently(tx, idempotentRequestOf(request, 'POST /returns'), async () => {
          const created = await requestReturn(
            tx,
            deps,
            principal,
            {
              shipmentId: parseId(body.shipmentId)!,
              reason: body.reason,
              comment: body.comment ?? null,
              items: body.items.map((item) => ({
                productId: item.productId,
                quantity: item.quantity,
                reason: item.reason ?? null,
              })),
            },
            { causationId: null, traceparent: request.traceContext.traceparent },
          );
          return { statusCode: 201, body: returnView(created) };
        }),
      );
      return sendIdempotent(reply, result);
    },
  );

  app.get(
    '/returns',
    {
      schema: {
        tags,
        summary: 'List returns (a customer sees only their own)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            orderId: idSchema,
            shipmentId: idSchema,
            customerId: { type: 'string', minLength: 1, maxLength: 100 },
            status: { type: 'string', enum: RETURN_STATUSES },
            ...pagingQuery,
          },
        },
        response: { 200: springPageSchema(returnSchema) },
      },
    },
    async (request) => {
      const principal = requirePrincipal(request);
      const customerId = customerScope(principal, request.query.customerId);
      const page = { page: request.query.page, size: request.query.size };
      const { rows, total } = await listReturns(
        prisma,
        {
          ...(request.query.orderId ? { orderId: parseId(request.query.orderId)! } : {}),
          ...(request.query.shipmentId ? { shipmentId: parseId(request.query.shipmentId)! } : {}),
          ...(customerId ? { customerId } : {}),
          ...(request.query.status ? { status: request.query.status } : {}),
        },
        page,
      );
      return springPage(rows.map(returnView), total, page);
    },
  );

  app.get(
    '/returns/:returnId',
    { schema: { tags, summary: 'Get a return', params: returnParams, response: { 200: returnSchema } } },
    async (request) => {
      const returnId = parseId(request.params.returnId)!;
      const found = await findVisible(
        requirePrincipal(request),
        returnId,
        (id) => findReturnById(prisma, id),
        returnNotFound,
      );
      return returnView(found);
    },
  );

  app.post(
    '/returns/:returnId/receive',
    {
      config: { roles: ['admin', 'service'], services: ['orders', 'platform-coordination'] },
      schema: {
        tags,
        summary: 'Record that the returned items arrived and were inspected (the refund trigger)',
        description:
          'Every product of the return must be listed once with its condition. Publishes ReturnReceived, which the orders service turns into a refund. A return is received once; again is 422 RETURN_ALREADY_RECEIVED.',
        params: returnParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['warehouseId', 'items'],
          properties: {
            warehouseId: { type: 'string', minLength: 1, maxLength: 100 },
            items: {
              type: 'array',
              minItems: 1,
              maxItems: 100,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['productId', 'condition'],
                properties: {
                  productId: { type: 'string', minLength: 1, maxLength: 100 },
                  condition: { type: 'string', enum: ITEM_CONDITIONS },
                },
              },
            },
          },
        },
        response: { 200: returnSchema },
      },
    },
    async (request) => {
      const returnId = parseId(request.params.returnId)!;
      const received = await transaction((tx) =>
        receiveReturn(
          tx,
          deps,
          { returnId, warehouseId: request.body.warehouseId, items: request.body.items },
          { causationId: null, traceparent: request.traceContext.traceparent },
        ),
      );
      return returnView(received);
    },
  );
}
