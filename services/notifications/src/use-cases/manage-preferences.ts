import type { SchemaType } from '@fv/service-kit';
import type { PrismaDb } from '../db/client.js';
import { CHANNELS, type Channel } from '../domain/channels.js';
import type { preferenceChangesSchema } from '../routes/schemas.js';

/** Channels opted in (`true`) or out (`false`) and contact details (`null` clears one), as sent. */
export type PreferenceChanges = SchemaType<typeof preferenceChangesSchema>;

export async function getPreferences(db: PrismaDb, customerId: string, defaults: readonly Channel[]) {
  const [rows, contact] = await Promise.all([
    db.channelPreference.findMany({ where: { customerId } }),
    db.customerContact.findUnique({ where: { customerId } }),
  ]);
  const chosen = new Map(rows.map((row) => [row.channel, row.enabled]));
  return {
    customerId,
    channels: Object.fromEntries(
      CHANNELS.map((channel) => {
        const own = chosen.get(channel);
        return [
          channel,
          own === undefined
            ? { enabled: defaults.includes(channel), source: 'DEFAULT' }
            : { enabled: own, source: 'CUSTOMER' },
        ];
      }),
    ),
    contact: {
      email: contact?.email ?? null,
      phone: contact?.phone ?? null,
      pushToken: contact?.pushToken ?? null,
      selfManaged: contact?.selfManaged ?? false,
    },
  };
}

/**
 * Records a customer's channel choices (an opt-out is `false`) and, when given, their own contact
 * details, which from then on take precedence over what order events carry.
 */
export async function updatePreferences(
  db: PrismaDb,
  customerId: string,
  changes: PreferenceChanges,
  defaults: readonly Channel[],
) {
  for (const [channel, enabled] of Object.entries(changes.channels ?? {})) {
    if (enabled === undefined) continue;
    await db.channelPreference.upsert({
      where: { customerId_channel: { customerId, channel } },
      create: { customerId, channel, enabled },
      update: { enabled },
    });
  }
  const contact = {
    ...(changes.email === undefined ? {} : { email: changes.email }),
    ...(changes.phone === undefined ? {} : { phone: changes.phone }),
    ...(changes.pushToken === undefined ? {} : { pushToken: changes.pushToken }),
  };
  if (Object.keys(contact).length > 0) {
    await db.customerContact.upsert({
      where: { customerId },
      create: { customerId, selfManaged: true, ...contact },
      update: { selfManaged: true, ...contact },
    });
  }
  return getPreferences(db, customerId, defaults);
}
