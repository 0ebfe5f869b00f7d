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
import type { FastifyInstance } from 'fastify';
import { findShipmentById, listShipments, listTrackingEvents } from '../db/shipments.js';

import { recordTrackingUpdate } from '../use-cases/record-tracking-update.js';
import type { RouteContext } from './route-context.js';
import {
  deliveryConfirmationBody,
  idSchema,
  labelSchema,
  shipmentListQuery,
  shipmentSchema,
  trackingEventBody,
  trackingSchema,
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

/** The shipment of the request's `shipmentId`, if the principal may see it (404 otherwise). */
async function visibleShipment(
  prisma: RouteContext['prisma'],
  request: { params: ShipmentParams },
  principal: ReturnType<typeof requirePrincipal>,
) {
  const shipmentId = parseId(request.params.shipmentId)!;
  return findVisible(principal, shipmentId, (id) => findShipmentById(prisma, id), shipmentNotFound);
}

/** Shipments: read by their customer and by staff; tracking updates and delivery confirmation by staff. */
export async function shipmentRoutes(instance: FastifyInstance, context: RouteContext): Promise<void> {
  const app = withSchemaTypes(instance);
  registerListShipments(app, context);
  registerGetShipment(app, context);
  registerGetTracking(app, context);
  registerGetLabel(app, context);
  registerRecordTrackingEvent(app, context);
  registerConfirmDelivery(app, context);
}

/** GET /shipments: a page of shipments, filtered by order, customer and status. */
function registerListShipments(app: SchemaTypedApp, { prisma }: RouteContext): void {
  app.get(
    '/shipments',
    {
      schema: {
        tags,
        summary: 'List shipments (a customer sees only their own)',
        querystring: shipmentListQuery,
        response: { 200: springPageSchema(shipmentSchema) },
      },
    },
    async (request) => {
      const { query } = request;
      const customerId = customerScope(requirePrincipal(request), query.customerId);
      const orderId = query.orderId && parseId(query.orderId)!;
      return springPageOf(
        query,
        (page) => listShipments(prisma, { orderId, customerId, status: query.status }, page),
        shipmentView,
      );
    },
  );
}

function registerGetShipment(app: SchemaTypedApp, { prisma }: RouteContext): void {
  app.get(
    '/shipments/:shipmentId',
    {
      schema: { tags, summary: 'Get a shipment', params: shipmentParams, response: { 200: shipmentSchema } },
    },
    async (request) => shipmentView(await visibleShipment(prisma, request, requirePrincipal(request))),
  );
}

function registerGetTracking(app: SchemaTypedApp, { prisma }: RouteContext): void {
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
      const shipment = await visibleShipment(prisma, request, requirePrincipal(request));
      return trackingView(shipment, await listTrackingEvents(prisma, shipment.id));
    },
  );
}

function registerGetLabel(app: SchemaTypedApp, { prisma }: RouteContext): void {
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
    async (request) => labelView(await visibleShipment(prisma, request, requirePrincipal(request))),
  );
}

/** POST /shipments/{shipmentId}/tracking-events: an operator's or an integration's tracking update. */
function registerRecordTrackingEvent(app: SchemaTypedApp, { transaction, deps }: RouteContext): void {
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
        body: trackingEventBody,
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
}

/** POST /shipments/{shipmentId}/delivery-confirmation: the shipment DELIVERED, as an operator saw it. */
function registerConfirmDelivery(app: SchemaTypedApp, { transaction, deps }: RouteContext): void {
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
        body: deliveryConfirmationBody,
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
