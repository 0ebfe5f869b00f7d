import {
  AppError,
  invalidFields,
  withSchemaTypes,
  type FieldIssue,
  type SchemaTypedApp,
} from '@fv/service-kit';
import { idempotencyHeaders, idempotently, idempotentRequestOf, sendIdempotent } from '@fv/service-runtime';
import type { FastifyInstance } from 'fastify';
import type { ReservationKey } from '../db/reservation-store.js';
import { parseId } from '../domain/ids.js';
import { getReservation } from '../use-cases/read-stock.js';
import { releaseReservation } from '../use-cases/release-reservation.js';
import { reserveStock, type ReserveResult } from '../use-cases/reserve-stock.js';
import {
  releaseReservationBody,
  reservationIdSchema,
  reservationSchema,
  reserveStockBody,
} from './schemas.js';
import type { RouteDeps } from './stock.js';
import { reservationView } from './views.js';

const WRITERS = ['admin', 'service'] as const;
/** Orders asks inventory to reserve and release; the coordinator may too. */
const RESERVERS = ['orders', 'platform-coordination'];

/** The HTTP answer to a reservation that was not made. */
function refusal(result: Exclude<ReserveResult, { outcome: 'reserved' }>): AppError {
  if (result.outcome === 'exists') {
    return new AppError(
      'CONFLICT',
      `Order ${result.reservation.orderId} already has reservation ${result.reservation.id}`,
      {
        details: {
          reason: 'RESERVATION_EXISTS',
          reservationId: result.reservation.id,
          status: result.reservation.status,
        },
      },
    );
  }
  if (result.reason === 'INVALID_QUANTITY') {
    const fields: FieldIssue[] = result.issues.map((issue) => ({
      field: `body.items[${issue.index}].quantity`,
      rule: issue.requestedQuantity < 1 ? 'minimum' : 'maximum',
      message: issue.message,
    }));
    return invalidFields(fields);
  }
  const details = { reason: result.reason, unavailableItems: result.unavailable };
  return result.reason === 'PRODUCT_NOT_FOUND'
    ? new AppError('NOT_FOUND', result.message, { details })
    : new AppError('UNPROCESSABLE_ENTITY', result.message, { details });
}

/** Reservations: hold stock for an order (all lines or none), release it, look one up. */
export async function reservationRoutes(instance: FastifyInstance, routeDeps: RouteDeps): Promise<void> {
  const app = withSchemaTypes(instance);
  registerReserveStock(app, routeDeps);
  registerReleaseReservation(app, routeDeps);
  registerGetReservation(app, routeDeps);
}

function registerReserveStock(app: SchemaTypedApp, { deps, transaction, idempotency }: RouteDeps): void {
  app.post(
    '/inventory/reserve',
    {
      config: { roles: [...WRITERS], services: RESERVERS },
      schema: {
        tags: ['reservations'],
        summary: 'Reserve stock for every line of an order, or for none',
        description:
          'Lines without a warehouseId are served from one location when one has enough, else split across locations. Publishes InventoryReserved. 404 names products inventory has no stock record for; 422 (details.reason INSUFFICIENT_STOCK) names the short lines with what is available. An order has at most one reservation (409 RESERVATION_EXISTS).',
        headers: idempotencyHeaders,
        body: reserveStockBody(deps.limits),
        response: {
          201: reservationSchema,
          404: { $ref: 'ErrorEnvelope#' },
          409: { $ref: 'ErrorEnvelope#' },
          422: { $ref: 'ErrorEnvelope#' },
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const orderId = parseId('order', body.orderId)!;
      const outcome = await transaction((tx) =>
        idempotently(
          tx,
          idempotentRequestOf(request, 'reserve'),
          async () => {
            const result = await reserveStock(
              tx,
              deps,
              {
                orderId,
                lines: body.items.map((item) => ({
                  productId: item.productId,
                  quantity: item.quantity,
                  warehouseId: item.warehouseId ?? null,
                })),
                ...(body.ttlSeconds === undefined ? {} : { ttlSeconds: body.ttlSeconds }),
              },
              { correlationId: orderId, traceparent: request.traceContext.traceparent },
            );
            if (result.outcome !== 'reserved') throw refusal(result);
            return { statusCode: 201, body: reservationView(result.reservation) };
          },
          idempotency,
        ),
      );
      return sendIdempotent(reply, outcome);
    },
  );
}

function registerReleaseReservation(
  app: SchemaTypedApp,
  { deps, transaction, idempotency }: RouteDeps,
): void {
  app.post(
    '/inventory/release',
    {
      config: { roles: [...WRITERS], services: RESERVERS },
      schema: {
        tags: ['reservations'],
        summary: 'Release a reservation by its id or its order id',
        description:
          'Gives the stock back and publishes InventoryReleased. Releasing a released reservation changes nothing and answers 200 with it; a deducted one cannot be released (409 RESERVATION_DEDUCTED).',
        headers: idempotencyHeaders,
        body: releaseReservationBody,
        response: {
          200: reservationSchema,
          404: { $ref: 'ErrorEnvelope#' },
          409: { $ref: 'ErrorEnvelope#' },
        },
      },
    },
    async (request, reply) => {
      const { reservationId, orderId, reason } = request.body;
      if ((reservationId === undefined) === (orderId === undefined)) {
        throw invalidFields([
          {
            field: 'body.reservationId',
            rule: 'oneOf',
            message: 'give exactly one of reservationId and orderId',
          },
        ]);
      }
      const by: ReservationKey =
        reservationId !== undefined
          ? { reservationId: parseId('reservation', reservationId)! }
          : { orderId: parseId('order', orderId!)! };
      const outcome = await transaction((tx) =>
        idempotently(
          tx,
          idempotentRequestOf(request, 'release'),
          async () => {
            const result = await releaseReservation(
              tx,
              deps,
              { by, reason: reason ?? 'MANUAL' },
              { traceparent: request.traceContext.traceparent },
            );
            return { statusCode: 200, body: reservationView(result.reservation) };
          },
          idempotency,
        ),
      );
      return sendIdempotent(reply, outcome);
    },
  );
}

function registerGetReservation(app: SchemaTypedApp, { db }: RouteDeps): void {
  app.get(
    '/inventory/reservations/:reservationId',
    {
      config: { roles: [...WRITERS], services: RESERVERS },
      schema: {
        tags: ['reservations'],
        summary: 'A reservation and its items',
        params: {
          type: 'object',
          required: ['reservationId'],
          properties: { reservationId: reservationIdSchema },
        },
        response: { 200: reservationSchema, 404: { $ref: 'ErrorEnvelope#' } },
      },
    },
    async (request) =>
      reservationView(await getReservation(db, parseId('reservation', request.params.reservationId)!)),
  );
}
