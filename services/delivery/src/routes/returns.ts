import {
  customerScope,
  findVisible,
  idParams,
  parseId,
  recordNotFound,
  requirePrincipal,
  springPageOf,
  springPageSchema,
  withSchemaTypes,
  type SchemaTypedApp,
} from '@fv/service-kit';
import { idempotencyHeaders, idempotently, idempotentRequestOf, sendIdempotent } from '@fv/service-runtime';
import type { FastifyInstance } from 'fastify';
import { findReturnById, listReturns } from '../db/returns.js';
import { receiveReturn } from '../use-cases/receive-return.js';
import { requestReturn } from '../use-cases/request-return.js';
import type { RouteContext } from './route-context.js';
import { idSchema, receiveReturnBody, returnListQuery, returnRequestBody, returnSchema } from './schemas.js';
import { returnView } from './views.js';

const tags = ['returns'];
const returnParams = idParams('returnId', idSchema);

function returnNotFound(returnId: string) {
  return recordNotFound('Return', 'returnId', returnId);
}

/** Returns: requested by the customer of a delivered shipment, received and inspected by the warehouse. */
export async function returnRoutes(instance: FastifyInstance, context: RouteContext): Promise<void> {
  const app = withSchemaTypes(instance);
  registerRequestReturn(app, context);
  registerListReturns(app, context);
  registerGetReturn(app, context);
  registerReceiveReturn(app, context);
}

/** POST /returns: answered 201 with the return; honours X-Idempotency-Key. */
function registerRequestReturn(app: SchemaTypedApp, { transaction, deps }: RouteContext): void {
  app.post(
    '/returns',
    {
      config: { roles: ['customer', 'admin', 'service'], services: ['orders', 'platform-coordination'] },
      schema: {
        tags,
        summary: 'Request a return of items of a delivered shipment',
        description: `Allowed for delivered shipments within the return window (RETURN_WINDOW_DAYS after delivery); otherwise 422 with details.reason SHIPMENT_NOT_DELIVERED or RETURN_WINDOW_EXPIRED. Items must be lines of the shipment, up to the units not yet returned (422 RETURN_ITEMS_INVALID). Publishes ReturnRequested.`,
        headers: idempotencyHeaders,
        body: returnRequestBody,
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
}

/** GET /returns: a page of returns, filtered by order, shipment, customer and status. */
function registerListReturns(app: SchemaTypedApp, { prisma }: RouteContext): void {
  app.get(
    '/returns',
    {
      schema: {
        tags,
        summary: 'List returns (a customer sees only their own)',
        querystring: returnListQuery,
        response: { 200: springPageSchema(returnSchema) },
      },
    },
    async (request) => {
      const { query } = request;
      const customerId = customerScope(requirePrincipal(request), query.customerId);
      const filter = {
        orderId: query.orderId && parseId(query.orderId)!,
        shipmentId: query.shipmentId && parseId(query.shipmentId)!,
        customerId,
        status: query.status,
      };
      return springPageOf(query, (page) => listReturns(prisma, filter, page), returnView);
    },
  );
}

function registerGetReturn(app: SchemaTypedApp, { prisma }: RouteContext): void {
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
}

/** POST /returns/{returnId}/receive: the warehouse received and inspected the items (ReturnReceived). */
function registerReceiveReturn(app: SchemaTypedApp, { transaction, deps }: RouteContext): void {
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
        body: receiveReturnBody,
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
