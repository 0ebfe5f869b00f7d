import {
  AppError,
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
import { findNotification, listNotifications } from '../db/notifications.js';
import type { RouteContext } from './route-context.js';
import { channelSchema, customerIdSchema, idSchema, notificationSchema, pagingQuery } from './schemas.js';
import { notificationView } from './views.js';

const tags = ['notifications'];
const params = idParams('notificationId', idSchema);

function notFound(notificationId: string) {
  return recordNotFound('Notification', 'notificationId', notificationId);
}

/** Every message, sent or not, with its status: a customer sees their own; staff see all and retry failed ones. */
export async function notificationRoutes(instance: FastifyInstance, context: RouteContext): Promise<void> {
  const app = withSchemaTypes(instance);
  registerListNotifications(app, context);
  registerGetNotification(app, context);
  registerRetryNotification(app, context);
}

function registerListNotifications(app: SchemaTypedApp, { prisma }: RouteContext): void {
  app.get(
    '/notifications',
    {
      schema: {
        tags,
        summary: 'List notifications (what was sent, skipped or failed, and why)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            customerId: customerIdSchema,
            orderId: { type: 'string', minLength: 1, maxLength: 100 },
            status: { type: 'string', enum: ['PENDING', 'SENT', 'FAILED', 'SKIPPED'] },
            channel: channelSchema,
            ...pagingQuery,
          },
        },
        response: { 200: springPageSchema(notificationSchema) },
      },
    },
    async (request) => {
      const { query } = request;
      const filter = {
        customerId: customerScope(requirePrincipal(request), query.customerId),
        orderId: query.orderId && (parseId(query.orderId) ?? query.orderId),
        status: query.status,
        channel: query.channel,
      };
      return springPageOf(query, (page) => listNotifications(prisma, filter, page), notificationView);
    },
  );
}

function registerGetNotification(app: SchemaTypedApp, { prisma }: RouteContext): void {
  app.get(
    '/notifications/:notificationId',
    { schema: { tags, summary: 'Get a notification', params, response: { 200: notificationSchema } } },
    async (request) => {
      const id = parseId(request.params.notificationId)!;
      const notification = await findVisible(
        requirePrincipal(request),
        id,
        (notificationId) => findNotification(prisma, notificationId),
        notFound,
      );
      return notificationView(notification);
    },
  );
}

function registerRetryNotification(app: SchemaTypedApp, { transaction, deps }: RouteContext): void {
  app.post(
    '/notifications/:notificationId/retry',
    {
      config: { roles: ['admin'] },
      schema: {
        tags,
        summary: 'Send a failed (dead-lettered) notification again',
        description:
          'Only FAILED notifications whose provider failed; the attempt count starts over. Others are 422.',
        params,
        response: { 202: notificationSchema },
      },
    },
    async (request, reply) => {
      const id = parseId(request.params.notificationId)!;
      const updated = await transaction(async (tx) => {
        const rows = await tx.$queryRawUnsafe<{ status: string; reason: string | null }[]>(
          'select status, reason from notifications where id = $1::uuid for update',
          id,
        );
        const current = rows[0];
        if (!current) throw notFound(id);
        if (current.status !== 'FAILED' || current.reason === 'TEMPLATE_ERROR') {
          throw new AppError(
            'UNPROCESSABLE_ENTITY',
            `Notification ${id} is ${current.status}${current.reason ? ` (${current.reason})` : ''}: only a message the provider failed can be retried`,
            {
              details: { reason: 'NOT_RETRIABLE', status: current.status, failure: current.reason },
            },
          );
        }
        return tx.notification.update({
          where: { id },
          data: { status: 'PENDING', attempts: 0, nextAttemptAt: deps.now() },
        });
      });
      return reply.code(202).send(notificationView(updated));
    },
  );
}
