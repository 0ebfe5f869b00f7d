import {
  AppError,
  canSeeCustomer,
  normalizeCustomerId,
  requirePrincipal,
  withSchemaTypes,
} from '@fv/service-kit';
import type { FastifyInstance } from 'fastify';
import { getPreferences, updatePreferences } from '../use-cases/manage-preferences.js';
import type { RouteContext } from './route-context.js';
import { customerIdSchema, preferenceChangesSchema, preferencesSchema } from './schemas.js';

const tags = ['preferences'];
const params = {
  type: 'object',
  required: ['customerId'],
  properties: { customerId: customerIdSchema },
} as const;

/** A customer's channels (opt-in / opt-out) and contact details: the customer themselves, or staff. */
export async function preferenceRoutes(
  instance: FastifyInstance,
  { prisma, transaction, deps }: RouteContext,
): Promise<void> {
  const app = withSchemaTypes(instance);
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

  app.get(
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

  app.put(
    '/customers/:customerId/preferences',
    {
      schema: {
        tags,
        summary: 'Opt in or out of channels, and set contact details',
        description:
          'channels.EMAIL=false opts out of e-mail: no message is sent on it and each one skipped is recorded with reason OPTED_OUT. Contact details given here take precedence over those order events carry.',
        params,
        body: preferenceChangesSchema,
        response: { 200: preferencesSchema },
      },
    },
    async (request) => {
      const customerId = customerOf(request);
      return transaction((tx) => updatePreferences(tx, customerId, request.body, deps.defaultChannels));
    },
  );
}
