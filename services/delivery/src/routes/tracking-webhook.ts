import {
  AppError,
  authenticationRequired,
  insufficientPermissions,
  requirePrincipal,
  type Principal,
  type SchemaTypedApp,
  withSchemaTypes,
} from '@fv/service-kit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SIGNATURE_HEADER, verifyWebhookSignature } from '../domain/webhook-signature.js';
import { recordTrackingUpdate } from '../use-cases/record-tracking-update.js';
import type { RouteContext } from './route-context.js';
import { carrierWebhookBody, trackingUpdateResult } from './schemas.js';

/** The exact bytes of each request's JSON body, kept for its signature. */
type RawBodies = WeakMap<FastifyRequest, Buffer>;

/**
 * The carrier's tracking webhook. A carrier authenticates in one of two ways:
 * - a bearer token with the `service` (or `admin`) role, like any platform caller;
 * - or, when CARRIER_WEBHOOK_SECRET is set, an `X-Carrier-Signature: t=<unix seconds>,v1=<hex>` header,
 *   HMAC-SHA256 of `<t>.<raw body>` with that secret, at most CARRIER_WEBHOOK_TOLERANCE_SECONDS old.
 * A scan is identified by the carrier's `eventId`: a resent webhook answers 200 with `duplicate: true`.
 */
export async function trackingWebhookRoutes(instance: FastifyInstance, context: RouteContext): Promise<void> {
  const app = withSchemaTypes(instance);
  const rawBodies: RawBodies = new WeakMap();
  keepRawJsonBodies(app, rawBodies);
  registerCarrierWebhook(app, context, rawBodies);
}

/** Parses JSON bodies in this scope from their bytes, and keeps the bytes in `rawBodies`. */
function keepRawJsonBodies(app: SchemaTypedApp, rawBodies: RawBodies): void {
  // The signature covers the exact bytes sent, so this scope keeps them next to the parsed body.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const raw = body as Buffer;
    rawBodies.set(request, raw);
    if (raw.length === 0) {
      done(
        new AppError('INVALID_REQUEST', "Request body is empty but Content-Type is 'application/json'"),
        undefined,
      );
      return;
    }
    try {
      done(null, JSON.parse(raw.toString('utf8')));
    } catch {
      done(new AppError('INVALID_REQUEST', 'Request body is not valid JSON'), undefined);
    }
  });
}

/** A bearer token with the service or admin role, or else a valid signature of the raw body. */
function authenticateCarrier(
  request: FastifyRequest,
  rawBodies: RawBodies,
  { deps, config }: RouteContext,
): void {
  if (request.headers.authorization !== undefined) {
    const principal: Principal = requirePrincipal(request);
    if (!principal.roles.includes('service') && !principal.roles.includes('admin')) {
      throw insufficientPermissions('Tracking updates require the service or admin role', {
        requiredRoles: ['service', 'admin'],
      });
    }
    return;
  }
  const header = request.headers[SIGNATURE_HEADER];
  const secret = config.CARRIER_WEBHOOK_SECRET;
  if (typeof header !== 'string' || !secret) {
    throw authenticationRequired(
      secret
        ? `Sign the webhook with the ${SIGNATURE_HEADER} header or send a bearer token with the service role`
        : 'Send a bearer token with the service role',
    );
  }
  const check = verifyWebhookSignature({
    secret,
    header,
    rawBody: rawBodies.get(request) ?? Buffer.alloc(0),
    nowSeconds: Math.floor(deps.now().getTime() / 1000),
    toleranceSeconds: config.CARRIER_WEBHOOK_TOLERANCE_SECONDS,
  });
  if (!check.valid) {
    throw authenticationRequired(`The webhook signature is not valid: ${check.message}`, {
      reason: check.reason,
      header: SIGNATURE_HEADER,
    });
  }
}

/** POST /carrier/tracking-webhook. */
function registerCarrierWebhook(app: SchemaTypedApp, context: RouteContext, rawBodies: RawBodies): void {
  const { transaction, deps } = context;
  app.post(
    '/carrier/tracking-webhook',
    {
      config: { public: true },
      // Runs after the body is read (the signature needs it) and before it is validated, so an
      // unauthenticated caller learns nothing about the expected payload.
      preValidation: async (request) => authenticateCarrier(request, rawBodies, context),
      schema: {
        tags: ['carrier'],
        summary: 'Tracking updates from the carrier (signed webhook or service token)',
        description:
          'Authenticate with a bearer token holding the service role, or sign the request: X-Carrier-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with CARRIER_WEBHOOK_SECRET>. Status moves LABEL_CREATED → DISPATCHED → IN_TRANSIT (repeatable) → DELIVERED; any other move is 422.',
        // Either a bearer token or the signature header (described above).
        security: [{ bearerAuth: [] }, {}],
        headers: {
          type: 'object',
          properties: {
            [SIGNATURE_HEADER]: { type: 'string', description: 't=<unix seconds>,v1=<hex HMAC-SHA256>' },
          },
        },
        body: carrierWebhookBody,
        response: { 200: trackingUpdateResult },
      },
    },
    async (request) => {
      const body = request.body;
      const result = await transaction((tx) =>
        recordTrackingUpdate(
          tx,
          deps,
          {
            target: { trackingId: body.trackingId },
            status: body.status,
            occurredAt: new Date(body.occurredAt),
            location: body.location ?? null,
            description: body.description ?? null,
            signedBy: body.signedBy ?? null,
            estimatedDeliveryAt: body.estimatedDeliveryAt ? new Date(body.estimatedDeliveryAt) : null,
            carrierEventId: body.eventId,
            source: 'CARRIER',
          },
          { causationId: null, traceparent: request.traceContext.traceparent },
        ),
      );
      return { shipmentId: result.shipmentId, status: body.status, duplicate: result.duplicate };
    },
  );
}
