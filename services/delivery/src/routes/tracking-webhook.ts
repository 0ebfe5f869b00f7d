import {
  AppError,
  authenticationRequired,
  insufficientPermissions,
  requirePrincipal,
  type Principal,
  withSchemaTypes,
} from '@fv/service-kit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SIGNATURE_HEADER, verifyWebhookSignature } from '../domain/webhook-signature.js';
import { recordTrackingUpdate } from '../use-cases/record-tracking-update.js';
import type { RouteContext } from './route-context.js';
import { trackingUpdateBody, trackingUpdateResult } from './schemas.js';

/**
 * The carrier's tracking webhook. A carrier authenticates in one of two ways:
 * - a bearer token with the `service` (or `admin`) role, like any platform caller;
 * - or, when CARRIER_WEBHOOK_SECRET is set, an `X-Carrier-Signature: t=<unix seconds>,v1=<hex>` header,
 *   HMAC-SHA256 of `<t>.<raw body>` with that secret, at most CARRIER_WEBHOOK_TOLERANCE_SECONDS old.
 * A scan is identified by the carrier's `eventId`: a resent webhook answers 200 with `duplicate: true`.
 */
export async function trackingWebhookRoutes(
  instance: FastifyInstance,
  { transaction, deps, config }: RouteContext,
): Promise<void> {
  const app = withSchemaTypes(instance);
  const rawBodies = new WeakMap<FastifyRequest, Buffer>();

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

  function authenticateCarrier(request: FastifyRequest): void {
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

  app.post(
    '/carrier/tracking-webhook',
    {
      config: { public: true },
      // Runs after the body is read (the signature needs it) and before it is validated, so an
      // unauthenticated caller learns nothing about the expected payload.
      preValidation: async (request) => authenticateCarrier(request),
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
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['eventId', 'trackingId', 'status', 'occurredAt'],
          properties: {
            eventId: {
              type: 'string',
              minLength: 1,
              maxLength: 200,
              description: "The carrier's id of this scan",
            },
            trackingId: { type: 'string', minLength: 1, maxLength: 50 },
            ...trackingUpdateBody,
          },
        },
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
