import type { CustomerContact, OrderContact } from '../generated/prisma/client.js';
import { json, text, type Db, type Row } from './client.js';
import { toNotification, type Notification } from './notifications.js';
import { toTemplate, type Template } from './templates.js';

/** What an order event says about its customer. */
export interface ContactFacts {
  orderId: string;
  email: string | null;
  phone: string | null;
  name: string | null;
}

/*
 * The contact projections, kept current from order events: who an order belongs to, and the latest
 * e-mail address and phone number the customer ordered with (unless they set their own). Parameters:
 * $1 order id, $2 customer id, $3 e-mail, $4 phone, $5 name; the statements below share them.
 */
const ORDER_CONTACT_CONFLICT = `on conflict (order_id) do update set
    customer_id = excluded.customer_id,
    email = coalesce(excluded.email, order_contacts.email),
    phone = coalesce(excluded.phone, order_contacts.phone),
    name = coalesce(excluded.name, order_contacts.name),
    updated_at = excluded.updated_at`;

/** An empty address does not replace a known one; a contact the customer manages is not touched. */
const CUSTOMER_CONTACT_CONFLICT = `on conflict (customer_id) do update set
    email = case when coalesce($3::varchar, '') <> '' then $3::varchar else customer_contacts.email end,
    phone = case when coalesce($4::varchar, '') <> '' then $4::varchar else customer_contacts.phone end,
    updated_at = excluded.updated_at
  where not customer_contacts.self_managed`;

/** Records what an order event says about the order's customer, in one statement. */
export async function recordOrderContact(
  db: Db,
  contact: ContactFacts & { customerId: string },
): Promise<void> {
  await db.$executeRawUnsafe(
    `with order_contact as (
       insert into order_contacts (order_id, customer_id, email, phone, name, updated_at)
       values ($1, $2::varchar, $3::varchar, $4::varchar, $5::varchar, clock_timestamp())
       ${ORDER_CONTACT_CONFLICT}
     )
     insert into customer_contacts (customer_id, email, phone, updated_at)
     select $2::varchar, $3::varchar, $4::varchar, clock_timestamp()
      where $3::varchar is not null or $4::varchar is not null
     ${CUSTOMER_CONTACT_CONFLICT}`,
    contact.orderId,
    contact.customerId,
    contact.email,
    contact.phone,
    contact.name,
  );
}

/** Everything a notification request needs to know about its customer, read after the contact was recorded. */
export interface Recipient {
  /** Null when neither the event nor an earlier OrderCreated names the order's customer (nothing was written). */
  customerId: string | null;
  order: Pick<OrderContact, 'customerId' | 'email' | 'phone' | 'name'> | null;
  customer: Pick<CustomerContact, 'email' | 'phone' | 'pushToken' | 'selfManaged'> | null;
  /** The customer's own channel choices. */
  preferences: Map<string, boolean>;
  /** The active templates of the notification type, by channel. */
  templates: Template[];
  /** The messages already created for the customer and the source event, by channel. */
  existing: Notification[];
}

/*
 * One statement: the order's customer (from the event, else from the order contact), the contact
 * projections updated as `recordOrderContact` does (when the event says something or the order is new
 * to the service), and what `Recipient` lists, as it is once the projections are updated. $6 says
 * whether the event names a contact detail, $7 is the template key, $8 the source event id.
 */
const RECIPIENT_SQL = `with known as (
    select customer_id, email, phone, name from order_contacts where order_id = $1
  ), target as (
    select coalesce($2::varchar, (select customer_id from known)) as customer_id
  ), recording as (
    select target.customer_id from target
     where target.customer_id is not null and ($6::boolean or not exists (select 1 from known))
  ), order_contact as (
    insert into order_contacts (order_id, customer_id, email, phone, name, updated_at)
    select $1, customer_id, $3::varchar, $4::varchar, $5::varchar, clock_timestamp() from recording
    ${ORDER_CONTACT_CONFLICT}
    returning customer_id, email, phone, name
  ), customer_contact as (
    insert into customer_contacts (customer_id, email, phone, updated_at)
    select customer_id, $3::varchar, $4::varchar, clock_timestamp() from recording
     where $3::varchar is not null or $4::varchar is not null
    ${CUSTOMER_CONTACT_CONFLICT}
    returning email, phone, push_token, self_managed
  )
  select (select customer_id from target) as customer_id,
    coalesce((select row_to_json(o) from order_contact o), (select row_to_json(k) from known k)) as order_contact,
    coalesce((select row_to_json(c) from customer_contact c),
      (select json_build_object('email', c.email, 'phone', c.phone, 'push_token', c.push_token,
         'self_managed', c.self_managed)
         from customer_contacts c join target on c.customer_id = target.customer_id)) as customer_contact,
    (select coalesce(json_agg(json_build_object('channel', p.channel, 'enabled', p.enabled)), '[]')
       from channel_preferences p join target on p.customer_id = target.customer_id) as preferences,
    (select coalesce(json_agg(t order by t.channel), '[]') from templates t where t.key = $7 and t.active) as templates,
    (select coalesce(json_agg(n order by n.channel), '[]')
       from notifications n join target on n.customer_id = target.customer_id
      where n.source_event_id = $8::uuid) as existing`;

/**
 * Records what the event says about the order's customer (when it says something, or the order is new
 * to the service) and reads the customer's contacts, preferences, the templates of `templateKey` and
 * the messages already sent for `sourceEventId` — one statement.
 */
export async function prepareRecipient(
  db: Db,
  request: ContactFacts & { customerId: string | null; templateKey: string; sourceEventId: string },
): Promise<Recipient> {
  const [row] = await db.$queryRawUnsafe<Row[]>(
    RECIPIENT_SQL,
    request.orderId,
    request.customerId,
    request.email,
    request.phone,
    request.name,
    Boolean(request.email || request.phone || request.name),
    request.templateKey,
    request.sourceEventId,
  );
  const order = json<Row | null>(row!.order_contact);
  const customer = json<Row | null>(row!.customer_contact);
  return {
    customerId: text(row!.customer_id),
    order: order && {
      customerId: String(order.customer_id),
      email: text(order.email),
      phone: text(order.phone),
      name: text(order.name),
    },
    customer: customer && {
      email: text(customer.email),
      phone: text(customer.phone),
      pushToken: text(customer.push_token),
      selfManaged: Boolean(customer.self_managed),
    },
    preferences: new Map(
      json<Row[]>(row!.preferences).map((preference) => [
        String(preference.channel),
        Boolean(preference.enabled),
      ]),
    ),
    templates: json<Row[]>(row!.templates).map(toTemplate),
    existing: json<Row[]>(row!.existing).map(toNotification),
  };
}
