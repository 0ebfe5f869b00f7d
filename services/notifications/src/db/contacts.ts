import type { Db } from './client.js';

export async function findOrderContact(db: Db, orderId: string) {
  return db.orderContact.findUnique({ where: { orderId } });
}

export async function findCustomerContact(db: Db, customerId: string) {
  return db.customerContact.findUnique({ where: { customerId } });
}

export async function preferencesOf(db: Db, customerId: string): Promise<Map<string, boolean>> {
  const rows = await db.channelPreference.findMany({ where: { customerId } });
  return new Map(rows.map((row) => [row.channel, row.enabled]));
}

/**
 * Keeps the contact projections current from an order event: who the order belongs to, and the
 * latest e-mail address and phone number the customer ordered with (unless they set their own).
 */
export async function recordOrderContact(
  db: Db,
  contact: {
    orderId: string;
    customerId: string;
    email: string | null;
    phone: string | null;
    name: string | null;
  },
): Promise<void> {
  const known = await db.orderContact.findUnique({ where: { orderId: contact.orderId } });
  const merged = {
    customerId: contact.customerId,
    email: contact.email ?? known?.email ?? null,
    phone: contact.phone ?? known?.phone ?? null,
    name: contact.name ?? known?.name ?? null,
  };
  await db.orderContact.upsert({
    where: { orderId: contact.orderId },
    create: { orderId: contact.orderId, ...merged },
    update: merged,
  });
  if (contact.email === null && contact.phone === null) return;
  const customer = await db.customerContact.findUnique({ where: { customerId: contact.customerId } });
  if (customer?.selfManaged) return;
  const update = {
    ...(contact.email ? { email: contact.email } : {}),
    ...(contact.phone ? { phone: contact.phone } : {}),
  };
  await db.customerContact.upsert({
    where: { customerId: contact.customerId },
    create: { customerId: contact.customerId, email: contact.email, phone: contact.phone },
    update,
  });
}
