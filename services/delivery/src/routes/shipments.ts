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
import type { FastifyInstance } from 'fastify';
import { findShipmentById, listShipments, listTrackingEvents } from '../db/shipments.js';

import { SHIPMENT_STATUSES } from '../domain/shipment-status.js';
import { recordTrackingUpdate } from '../use-cases/record-tracking-update.js';
import type { RouteContext } from './route-context.js';
import {
  idSchema,
  labelSchema,
  pagingQuery,
  shipmentSchema,
  trackingSchema,
  trackingUpdateBody,
  trackingUpdateResult,
} from './schemas.js';
import { labelView, shipmentView, trackingView } from './views.js';

const tags = ['shipments'];
const shipmentParams = idParams('shipmentId', idSchema);

interface ShipmentParams {
  shipmentId: string;
}

function shipmentNotFound(shipmentId: string) {
  return recordNotFound('Shipment', 'shipmentId', shipmentId);
}

/** Shipments: read by their customer and by staff; tracking updates and delivery confirmation by staff. */
export async function shipmentRoutes(
  instance: FastifyInstance,
  { prisma, transaction, deps }: RouteContext,
): Promise<void> {
  const app = withSchemaTypes(instance);
  async function visibleShipment(
    request: { params: ShipmentParams },
    principal: ReturnType<typeof requirePrincipal>,
  ) {
    const shipmentId = parseId(request.params.shipmentId)!;
    return findVisible(principal, shipmentId, (id) => findShipmentById(prisma, id), shipmentNotFound);
  }

  app.get(
    '/shipments',
    {
      schema: {
        tags,
        summary: 'List shipments (a customer sees only their own)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            orderId: idSchema,
            customerId: { type: 'string', minLength: 1, maxLength: 100 },
            status: { type: 'string', enum: SHIPMENT_STATUSES },
            ...pagingQuery,
          },
        },
        response: { 200: springPageSchema(shipmentSchema) },
      },
    },
    async (request) => {
      const principal = requirePrincipal(request);
      const customerId = customerScope(principal, request.query.customerId);
      const page = { page: request.query.page, size: request.query.size };
      const { rows, total } = await listShipments(
        prisma,
        {
          ...(request.query.orderId ? { orderId: parseId(request.query.orderId)! } : {}),
          ...(customerId ? { customerId } : {}),
          ...(request.query.status ? { status: request.query.status } : {}),
        },
        page,
      );
      return springPage(rows.map(shipmentView), total, page);
    },
  );

  app.get(
    '/shipments/:shipmentId',
    {
      schema: { tags, summary: 'Get a shipment', params: shipmentParams, response: { 200: shipmentSchema } },
    },
    async (request) => shipmentView(await visibleShipment(request, requirePrincipal(request))),
  );

  app.get(
    '/shipments/:shipmentId/tracking',
    {
      schema: {
        tags,
        summary: 'Tracking status and history of a shipment',
        params: shipmentParams,
        response: { 200: trackingSchema },
      },
    },
    async (request) => {
      const shipment = await visibleShipment(request, requirePrincipal(request));
      return trackingView(shipment, await listTrackingEvents(prisma, shipment.id));
    },
  );

  app.get(
    '/shipments/:shipmentId/label',
    {
      schema: {
        tags,
        summary: 'The shipping label of a shipment',
        params: shipmentParams,
        response: { 200: labelSchema },
      },
    },
    async (request) => labelView(await visibleShipment(request, requirePrincipal(request))),
  );

  app.post(
    '/shipments/:shipmentId/tracking-events',
    {
      config: { roles: ['admin', 'service'], services: ['orders', 'platform-coordination'] },
      schema: {
        tags,
        summary: 'Record a tracking update for a shipment (operators and integrations)',
        description:
          'Moves the shipment along LABEL_CREATED → DISPATCHED → IN_TRANSIT (repeatable) → DELIVERED; any other move is 422 with details.reason INVALID_STATUS_TRANSITION.',
        params: shipmentParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['status', 'occurredAt'],
          properties: trackingUpdateBody,
        },
        response: { 200: trackingUpdateResult },
      },
    },
    async (request) => {
      const shipmentId = parseId(request.params.shipmentId)!;
      const body = request.body;
      const result = await transaction((tx) =>
        recordTrackingUpdate(
          tx,
          deps,
          {
            target: { shipmentId },
            status: body.status,
            occurredAt: new Date(body.occurredAt),
            location: body.location ?? null,
            description: body.description ?? null,
            signedBy: body.signedBy ?? null,
            estimatedDeliveryAt: body.estimatedDeliveryAt ? new Date(body.estimatedDeliveryAt) : null,
            carrierEventId: null,
            source: 'OPERATOR',
          },
          { causationId: null, traceparent: request.traceContext.traceparent },
        ),
      );
      return { shipmentId: result.shipmentId, status: body.status, duplicate: result.duplicate };
    },
  );

  app.post(
    '/shipments/:shipmentId/delivery-confirmation',
    {
      config: { roles: ['admin', 'service'], services: ['orders', 'platform-coordination'] },
      schema: {
        tags,
        summary: 'Confirm delivery of an in-transit shipment',
        description:
          'Marks the shipment DELIVERED (at deliveredAt, default now) and publishes ShipmentDelivered.',
        params: shipmentParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            deliveredAt: { type: 'string', format: 'date-time' },
            signedBy: trackingUpdateBody.signedBy,
            location: trackingUpdateBody.location,
          },
        },
        response: { 200: shipmentSchema },
      },
    },
    async (request) => {
      const shipmentId = parseId(request.params.shipmentId)!;
      const body = request.body ?? {};
      return transaction(async (tx) => {
        await recordTrackingUpdate(
          tx,
          deps,
          {
            target: { shipmentId },
            status: 'DELIVERED',
            occurredAt: body.deliveredAt ? new Date(body.deliveredAt) : deps.now(),
            location: body.location ?? null,
            description: 'Delivery confirmed',
            signedBy: body.signedBy ?? null,
            estimatedDeliveryAt: null,
            carrierEventId: null,
            source: 'OPERATOR',
          },
          { causationId: null, traceparent: request.traceContext.traceparent },
        );
        const shipment = await findShipmentById(tx, shipmentId);
        if (!shipment) throw shipmentNotFound(shipmentId);
        return shipmentView(shipment);
      });
    },
  );
}
