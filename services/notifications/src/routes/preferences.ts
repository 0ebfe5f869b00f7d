import { AppError, canSeeCustomer, normalizeCustomerId, requirePrincipal } from '@fv/service-kit';
import type { FastifyInstance } from 'fastify';
import {
  getPreferences,
  updatePreferences,
  type PreferenceChanges,
} from '../use-cases/manage-preferences.js';
import type { RouteContext } from './route-context.js';
import { customerIdSchema, preferencesSchema } from './schemas.js';

const tags = ['preferences'];
const params = {
  type: 'object',
  required: ['customerId'],
  properties: { customerId: customerIdSchema },
} as const;

/** A customer's channels (opt-in / opt-out) and contact details: the customer themselves, or staff. */
export async function preferenceRoutes(
  app: FastifyInstance,
  { prisma, transaction, deps }: RouteContext,
): Promise<void> {
  function customerOf(
    request: { params: { customerId: string } } & Parameters<typeof requirePrincipal>[0],
  ): string {
    const customerId = normalizeCustomerId(request.params.customerId);
    if (!canSeeCustomer(requirePrincipal(request), customerId)) {
      throw new AppError(
        'INSUFFICIENT_PERMISSIONS',
        'Customers can only see and change their own preferences',
        {
          details: { field: 'params.customerId' },
        },
      );
    }
    return customerId;
  }

  app.get<{ Params: { customerId: string } }>(
    '/customers/:customerId/preferences',
    {
      schema: {
        tags,
        summary: "A customer's notification preferences",
        params,
        response: { 200: preferencesSchema },
      },
    },
    async (request) => getPreferences(prisma, customerOf(request), deps.defaultChannels),
  );

  app.put<{ Params: { customerId: string }; Body: PreferenceChanges }>(
    '/customers/:customerId/preferences',
    {
      schema: {
        tags,
        summary: 'Opt in or out of channels, and set contact details',
        description:
          'channels.EMAIL=false opts out of e-mail: no message is sent on it and each one skipped is recorded with reason OPTED_OUT. Contact details given here take precedence over those order events carry.',
        params,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            channels: {
              type: 'object',
              additionalProperties: false,
              minProperties: 1,
              properties: { EMAIL: { type: 'boolean' }, SMS: { type: 'boolean' }, PUSH: { type: 'boolean' } },
            },
            email: { type: 'string', format: 'email', maxLength: 320, nullable: true },
            phone: {
              type: 'string',
              pattern: '^\\+[1-9][0-9]{6,14}$',
              nullable: true,
              description: 'E.164, e.g. +12125550100',
            },
            pushToken: { type: 'string', minLength: 8, maxLength: 500, nullable: true },
          },
        },
        response: { 200: preferencesSchema },
      },
    },
    async (request) => {
      const customerId = customerOf(request);
      return transaction((tx) => updatePreferences(tx, customerId, request.body, deps.defaultChannels));
    },
  );
}
