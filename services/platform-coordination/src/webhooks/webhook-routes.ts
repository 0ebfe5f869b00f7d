import { requirePrincipal, withSchemaTypes, type SchemaTypedApp } from '@fv/service-kit';
import type { FastifyInstance } from 'fastify';
import { WEBHOOK_EVENT_TYPES } from './domain/webhook-signature.js';
import type { WebhookService } from './webhook-service.js';
import { errorResponses, pagingQuery } from '../http/schemas.js';
import { PLATFORM_SERVICES } from '../http/callers.js';

const params = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid' } },
} as const;
const document = { type: 'object', additionalProperties: true } as const;

/** Webhook subscriptions (seed 001 event types), signed deliveries and their attempts. */
export function webhookRoutes(instance: FastifyInstance, webhooks: WebhookService): void {
  const app = withSchemaTypes(instance);
  registerSubscribe(app, webhooks);
  registerListSubscriptions(app, webhooks);
  registerGetSubscription(app, webhooks);
  registerUnsubscribe(app, webhooks);
  registerListDeliveries(app, webhooks);
}

function registerSubscribe(app: SchemaTypedApp, webhooks: WebhookService): void {
  app.post(
    '/webhooks',
    {
      config: { roles: ['service', 'admin'], services: PLATFORM_SERVICES },
      schema: {
        tags: ['webhooks'],
        summary: 'Subscribe a URL to workflow events; the answer carries the signing secret (shown once)',
        body: {
          type: 'object',
          required: ['url', 'eventTypes'],
          additionalProperties: false,
          properties: {
            url: { type: 'string', minLength: 1, maxLength: 2048 },
            eventTypes: {
              type: 'array',
              minItems: 1,
              maxItems: WEBHOOK_EVENT_TYPES.length,
              items: { type: 'string', enum: [...WEBHOOK_EVENT_TYPES] },
            },
            secret: {
              type: 'string',
              minLength: 16,
              maxLength: 200,
              description: 'HMAC-SHA256 key; generated when omitted',
            },
          },
        },
        response: { 201: document, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await webhooks.create(request.body, requirePrincipal(request).sub)),
  );
}

function registerListSubscriptions(app: SchemaTypedApp, webhooks: WebhookService): void {
  app.get(
    '/webhooks',
    {
      config: { roles: ['service', 'admin'], services: PLATFORM_SERVICES },
      schema: {
        tags: ['webhooks'],
        summary: 'Active subscriptions',
        response: { 200: document, ...errorResponses },
      },
    },
    async () => webhooks.list(),
  );
}

function registerGetSubscription(app: SchemaTypedApp, webhooks: WebhookService): void {
  app.get(
    '/webhooks/:id',
    {
      config: { roles: ['service', 'admin'], services: PLATFORM_SERVICES },
      schema: {
        tags: ['webhooks'],
        summary: 'A subscription',
        params,
        response: { 200: document, ...errorResponses },
      },
    },
    async (request) => webhooks.get(request.params.id),
  );
}

function registerUnsubscribe(app: SchemaTypedApp, webhooks: WebhookService): void {
  app.delete(
    '/webhooks/:id',
    {
      config: { roles: ['service', 'admin'], services: PLATFORM_SERVICES },
      schema: {
        tags: ['webhooks'],
        summary: 'Unsubscribe (pending deliveries are given up)',
        params,
        response: { 204: { type: 'null' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      await webhooks.remove(request.params.id);
      return reply.code(204).send();
    },
  );
}

function registerListDeliveries(app: SchemaTypedApp, webhooks: WebhookService): void {
  app.get(
    '/webhooks/:id/deliveries',
    {
      config: { roles: ['service', 'admin'], services: PLATFORM_SERVICES },
      schema: {
        tags: ['webhooks'],
        summary: 'Deliveries of a subscription, newest first, with every attempt',
        params,
        querystring: { type: 'object', additionalProperties: false, properties: { ...pagingQuery } },
        response: { 200: document, ...errorResponses },
      },
    },
    async (request) => webhooks.deliveries(request.params.id, request.query.page, request.query.size),
  );
}
