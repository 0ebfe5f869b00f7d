import { parseId, withSchemaTypes, type SchemaTypedApp } from '@fv/service-kit';
import { idempotencyHeaders, idempotently, idempotentRequestOf, sendIdempotent } from '@fv/service-runtime';
import type { FastifyInstance } from 'fastify';
import { listTemplates } from '../db/templates.js';
import {
  createTemplate,
  deleteTemplate,
  getTemplate,
  previewTemplate,
  updateTemplate,
} from '../use-cases/manage-templates.js';
import type { RouteContext } from './route-context.js';
import { channelSchema, idSchema, templateSchema } from './schemas.js';
import { templateView } from './views.js';

const tags = ['templates'];
const params = { type: 'object', required: ['templateId'], properties: { templateId: idSchema } } as const;
const text = {
  subject: {
    type: 'string',
    minLength: 1,
    maxLength: 300,
    nullable: true,
    description: 'Required for EMAIL; {{variable}} placeholders allowed',
  },
  body: { type: 'string', minLength: 1, maxLength: 20_000, description: '{{variable}} placeholders allowed' },
  description: { type: 'string', maxLength: 500, nullable: true },
  active: { type: 'boolean' },
} as const;

/** Message templates per notification type and channel: managed by admins, readable by services. */
export async function templateRoutes(instance: FastifyInstance, context: RouteContext): Promise<void> {
  const app = withSchemaTypes(instance);
  registerListTemplates(app, context);
  registerGetTemplate(app, context);
  registerCreateTemplate(app, context);
  registerUpdateTemplate(app, context);
  registerDeleteTemplate(app, context);
  registerPreviewTemplate(app, context);
}

function registerListTemplates(app: SchemaTypedApp, { prisma }: RouteContext): void {
  app.get(
    '/templates',
    {
      config: { roles: ['admin', 'service'], services: ['orders', 'delivery', 'platform-coordination'] },
      schema: {
        tags,
        summary: 'List templates',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            key: { type: 'string', minLength: 1, maxLength: 100 },
            channel: channelSchema,
            active: { type: 'boolean' },
          },
        },
        response: { 200: { type: 'array', items: templateSchema } },
      },
    },
    async (request) => (await listTemplates(prisma, request.query)).map(templateView),
  );
}

function registerGetTemplate(app: SchemaTypedApp, { prisma }: RouteContext): void {
  app.get(
    '/templates/:templateId',
    {
      config: { roles: ['admin', 'service'], services: ['orders', 'delivery', 'platform-coordination'] },
      schema: { tags, summary: 'Get a template', params, response: { 200: templateSchema } },
    },
    async (request) => templateView(await getTemplate(prisma, parseId(request.params.templateId)!)),
  );
}

function registerCreateTemplate(app: SchemaTypedApp, { transaction }: RouteContext): void {
  app.post(
    '/templates',
    {
      config: { roles: ['admin'] },
      schema: {
        tags,
        summary: 'Create a template',
        description:
          'One template per (key, channel): 409 when it exists. Placeholders must be variables the notification type provides (422 UNKNOWN_VARIABLES, see availableVariables).',
        headers: idempotencyHeaders,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['key', 'channel', 'body'],
          properties: {
            key: {
              type: 'string',
              pattern: '^[a-z][a-z0-9-]{1,99}$',
              description: 'Notification type, e.g. order-confirmed',
            },
            channel: channelSchema,
            ...text,
          },
        },
        response: { 201: templateSchema },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const result = await transaction((tx) =>
        idempotently(tx, idempotentRequestOf(request, 'POST /templates'), async () => {
          const created = await createTemplate(tx, {
            key: body.key,
            channel: body.channel,
            subject: body.subject ?? null,
            body: body.body,
            description: body.description ?? null,
            active: body.active ?? true,
          });
          return { statusCode: 201, body: templateView(created) };
        }),
      );
      return sendIdempotent(reply, result);
    },
  );
}

function registerUpdateTemplate(app: SchemaTypedApp, { transaction }: RouteContext): void {
  app.put(
    '/templates/:templateId',
    {
      config: { roles: ['admin'] },
      schema: {
        tags,
        summary: 'Change a template (its version goes up by one)',
        params,
        body: { type: 'object', additionalProperties: false, minProperties: 1, properties: text },
        response: { 200: templateSchema },
      },
    },
    async (request) =>
      templateView(
        await transaction((tx) => updateTemplate(tx, parseId(request.params.templateId)!, request.body)),
      ),
  );
}

function registerDeleteTemplate(app: SchemaTypedApp, { transaction }: RouteContext): void {
  app.delete(
    '/templates/:templateId',
    {
      config: { roles: ['admin'] },
      schema: { tags, summary: 'Delete a template', params, response: { 204: { type: 'null' } } },
    },
    async (request, reply) => {
      await transaction((tx) => deleteTemplate(tx, parseId(request.params.templateId)!));
      return reply.code(204).send();
    },
  );
}

function registerPreviewTemplate(app: SchemaTypedApp, { prisma }: RouteContext): void {
  app.post(
    '/templates/:templateId/preview',
    {
      config: { roles: ['admin', 'service'], services: ['orders', 'delivery', 'platform-coordination'] },
      schema: {
        tags,
        summary: 'Render a template with variables (nothing is sent)',
        description:
          'A variable the template uses and the request lacks is 422 with details.missingVariables.',
        params,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['variables'],
          properties: {
            variables: {
              type: 'object',
              additionalProperties: { type: ['string', 'number', 'boolean'] },
            },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              templateId: { type: 'string' },
              channel: channelSchema,
              subject: { type: 'string', nullable: true },
              body: { type: 'string' },
            },
          },
        },
      },
    },
    async (request) => previewTemplate(prisma, parseId(request.params.templateId)!, request.body.variables),
  );
}
