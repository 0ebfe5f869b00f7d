import { randomUUID } from 'node:crypto';
import { dlqTopicOf, topicOf } from '@fv/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelDeliveryError } from '../src/channels/channel-adapter.js';
import {
  NotificationsHarness,
  adminToken,
  bearer,
  notifyCustomerRequest,
  orderConfirmed,
  orderCreated,
} from './support.js';

const h = new NotificationsHarness();
/** E-mail addresses whose provider fails, and how many more times (Infinity: for good). */
const outages = new Map<string, number>();

beforeAll(async () => {
  await h.start({
    channels: (_context, local) => ({
      ...local,
      EMAIL: {
        channel: 'EMAIL',
        provider: local.EMAIL.provider,
        async send(message) {
          const left = outages.get(message.recipient) ?? 0;
          if (left > 0) {
            outages.set(message.recipient, left - 1);
            throw new ChannelDeliveryError(
              'PROVIDER_TIMEOUT',
              'the e-mail provider did not answer in time',
              true,
            );
          }
          return local.EMAIL.send(message);
        },
      },
    }),
  });
});
afterAll(async () => {
  await h.stop();
});

function customer() {
  const id = randomUUID();
  return { id, token: bearer(id, ['customer']) };
}

async function notificationsOf(customerToken: string, query = '') {
  const response = await h.app.inject({
    url: `/api/v1/notifications${query}`,
    headers: { authorization: customerToken },
  });
  expect(response.statusCode).toBe(200);
  return response.json().content as Record<string, unknown>[];
}

async function deliveriesTo(recipient: string) {
  return h.prisma.recordedDelivery.findMany({ where: { recipient } });
}

describe('order lifecycle messages', () => {
  it('sends one e-mail for an OrderConfirmed, recorded and readable by the customer', async () => {
    const { id, token } = customer();
    const orderId = randomUUID();
    const email = `${id}@example.com`;
    const confirmed = await h.publish(
      'OrderConfirmed',
      orderConfirmed(orderId, id, { customerEmail: email }),
    );

    const [sent] = await h.waitForPublished('NotificationSent', orderId);
    expect(sent).toMatchObject({
      customerId: id,
      orderId,
      channel: 'EMAIL',
      templateId: 'order-confirmed',
      recipient: email,
      provider: 'local-email',
      attempt: 1,
      causationId: confirmed.eventId,
      correlationId: orderId,
    });
    const [notification] = await notificationsOf(token, `?customerId=${id}`);
    expect(notification).toMatchObject({
      status: 'SENT',
      channel: 'EMAIL',
      recipient: email,
      subject: `Your order ${orderId} is confirmed`,
      attempts: 1,
    });
    expect(notification!.body).toContain('2 item(s), 99.98 USD');
    const deliveries = await deliveriesTo(email);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ channel: 'EMAIL', notificationId: sent!.notificationId });
  });

  it('never sends a second message for the same event', async () => {
    const { id } = customer();
    const orderId = randomUUID();
    const email = `${id}@example.com`;
    const confirmed = await h.publish(
      'OrderConfirmed',
      orderConfirmed(orderId, id, { customerEmail: email }),
    );
    await h.waitForPublished('NotificationSent', orderId);
    await h.publish('OrderConfirmed', orderConfirmed(orderId, id, { customerEmail: email }), {
      eventId: confirmed.eventId,
    });
    await h.waitUntilConsumed();
    expect(await deliveriesTo(email)).toHaveLength(1);
    expect(await h.published('NotificationSent', orderId)).toHaveLength(1);

    // The database refuses a second message for the same customer, event and channel whatever the path.
    const [existing] = await h.prisma.notification.findMany({ where: { customerId: id } });
    await expect(
      h.prisma.notification.create({ data: { ...existing!, id: randomUUID() } }),
    ).rejects.toMatchObject({ code: 'P2002' });
  });

  it('reaches the customer of an order for events that do not name them, from the OrderCreated projection, on each chosen channel', async () => {
    const { id, token } = customer();
    const orderId = randomUUID();
    const email = `${id}@example.com`;
    const phone = `+1212${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    const opted = await h.app.inject({
      method: 'PUT',
      url: `/api/v1/customers/${id}/preferences`,
      headers: { authorization: token },
      payload: { channels: { SMS: true } },
    });
    expect(opted.statusCode).toBe(200);
    expect(opted.json().channels).toMatchObject({
      EMAIL: { enabled: true, source: 'DEFAULT' },
      SMS: { enabled: true, source: 'CUSTOMER' },
    });

    const base = orderCreated(orderId, id, { customerEmail: email });
    await h.publish('OrderCreated', { ...base, shippingAddress: { ...base.shippingAddress, phone } });
    await h.publish('ShipmentDispatched', {
      orderId,
      shipmentId: randomUUID(),
      trackingId: 'SIM0123456789ABCDEF',
      carrier: 'SIMULATED',
      estimatedDeliveryAt: null,
    });

    const sent = await h.waitForPublished('NotificationSent', orderId, 2);
    expect(sent.map((event) => [event.channel, event.recipient]).sort()).toEqual([
      ['EMAIL', email],
      ['SMS', phone],
    ]);
    const sms = (await deliveriesTo(phone))[0];
    expect(sms?.body).toBe(`Order ${orderId} is on its way with SIMULATED. Tracking: SIM0123456789ABCDEF`);

    // The list's filters, each narrowing what staff see: the order, then its channel, then a status.
    const list = async (query: string) => {
      const answer = await h.app.inject({
        url: `/api/v1/notifications?orderId=ord-${orderId}${query}`,
        headers: { authorization: adminToken },
      });
      expect(answer.statusCode).toBe(200);
      return (answer.json().content as { channel: string; status: string }[]).map((item) => [
        item.channel,
        item.status,
      ]);
    };
    expect((await list('')).sort()).toEqual([
      ['EMAIL', 'SENT'],
      ['SMS', 'SENT'],
    ]);
    expect(await list('&channel=SMS')).toEqual([['SMS', 'SENT']]);
    expect(await list('&channel=SMS&status=FAILED')).toEqual([]);
  });

  it("keeps the address order events teach, and a customer's own address before any event's", async () => {
    const { id, token } = customer();
    const learned = `${id}@example.com`;
    const first = randomUUID();
    await h.publish('OrderConfirmed', orderConfirmed(first, id, { customerEmail: learned }));
    await h.waitForPublished('NotificationSent', first);

    // An event of an order new to the service that names no address reaches the address learned before.
    const second = randomUUID();
    await h.publish('PaymentFailed', {
      orderId: second,
      customerId: id,
      paymentId: null,
      amount: '10.00',
      currency: 'USD',
      paymentMethod: 'CREDIT_CARD',
      errorCode: 'PAYMENT_DECLINED',
      errorMessage: 'the card was declined',
      retriable: false,
      attempt: 1,
    });
    const [declined] = await h.waitForPublished('NotificationSent', second);
    expect(declined).toMatchObject({ templateId: 'payment-failed', recipient: learned });

    // The customer's own address wins over what order events say, and they do not replace it.
    const own = `own-${id}@example.com`;
    const set = await h.app.inject({
      method: 'PUT',
      url: `/api/v1/customers/${id}/preferences`,
      headers: { authorization: token },
      payload: { email: own },
    });
    expect(set.statusCode).toBe(200);
    const third = randomUUID();
    await h.publish(
      'OrderConfirmed',
      orderConfirmed(third, id, { customerEmail: `other-${id}@example.com` }),
    );
    const [confirmed] = await h.waitForPublished('NotificationSent', third);
    expect(confirmed).toMatchObject({ recipient: own });
    const preferences = await h.app.inject({
      url: `/api/v1/customers/${id}/preferences`,
      headers: { authorization: token },
    });
    expect(preferences.json().contact).toMatchObject({ email: own, selfManaged: true });
  });

  it('respects an opt-out: nothing is sent and the reason is recorded', async () => {
    const { id, token } = customer();
    const orderId = randomUUID();
    const email = `${id}@example.com`;
    const response = await h.app.inject({
      method: 'PUT',
      url: `/api/v1/customers/${id}/preferences`,
      headers: { authorization: token },
      payload: { channels: { EMAIL: false } },
    });
    expect(response.json().channels.EMAIL).toEqual({ enabled: false, source: 'CUSTOMER' });

    await h.publish('OrderConfirmed', orderConfirmed(orderId, id, { customerEmail: email }));
    const [failed] = await h.waitForPublished('NotificationFailed', orderId);
    expect(failed).toMatchObject({ channel: 'EMAIL', errorCode: 'OPTED_OUT', retriable: false, attempt: 0 });
    const [notification] = await notificationsOf(token);
    expect(notification).toMatchObject({ status: 'SKIPPED', reason: 'OPTED_OUT', body: null });
    expect(await deliveriesTo(email)).toHaveLength(0);
    expect(await h.published('NotificationSent', orderId)).toHaveLength(0);
  });

  it('retries a channel that fails transiently with backoff, then records the delivery once', async () => {
    const { id, token } = customer();
    const orderId = randomUUID();
    const email = `${id}@example.com`;
    outages.set(email, 2);
    await h.publish('OrderConfirmed', orderConfirmed(orderId, id, { customerEmail: email }));

    const [sent] = await h.waitForPublished('NotificationSent', orderId);
    expect(sent).toMatchObject({ recipient: email, attempt: 3 });
    const failures = await h.published('NotificationFailed', orderId);
    expect(failures.map((event) => [event.attempt, event.errorCode, event.retriable])).toEqual([
      [1, 'PROVIDER_TIMEOUT', true],
      [2, 'PROVIDER_TIMEOUT', true],
    ]);
    expect(await deliveriesTo(email)).toHaveLength(1);
    const [notification] = await notificationsOf(token);
    expect(notification).toMatchObject({ status: 'SENT', attempts: 3 });
  });

  it('sends many messages due at once each exactly once, a failing one among them failing alone', async () => {
    const people = Array.from({ length: 8 }, () => ({ ...customer(), orderId: randomUUID() }));
    const failing = people[3]!;
    const failingEmail = `${failing.id}@example.com`;
    outages.set(failingEmail, Number.POSITIVE_INFINITY);
    await Promise.all(
      people.map((person) =>
        h.publish(
          'OrderConfirmed',
          orderConfirmed(person.orderId, person.id, { customerEmail: `${person.id}@example.com` }),
        ),
      ),
    );

    for (const person of people.filter((candidate) => candidate !== failing)) {
      const [sent] = await h.waitForPublished('NotificationSent', person.orderId);
      expect(sent).toMatchObject({ recipient: `${person.id}@example.com`, attempt: 1 });
      expect(await deliveriesTo(`${person.id}@example.com`)).toHaveLength(1);
    }
    const failures = await h.waitForPublished('NotificationFailed', failing.orderId, 3);
    expect(failures.map((event) => [event.attempt, event.retriable])).toEqual([
      [1, true],
      [2, true],
      [3, false],
    ]);
    outages.delete(failingEmail);
    for (const person of people) {
      expect(await h.published('NotificationSent', person.orderId)).toHaveLength(person === failing ? 0 : 1);
    }
  });

  it('dead-letters a message that keeps failing, and an operator can send it again', async () => {
    const { id, token } = customer();
    const orderId = randomUUID();
    const email = `${id}@example.com`;
    outages.set(email, Number.POSITIVE_INFINITY);
    await h.publish('OrderConfirmed', orderConfirmed(orderId, id, { customerEmail: email }));

    const failures = await h.waitForPublished('NotificationFailed', orderId, 3);
    expect(failures.map((event) => [event.attempt, event.retriable])).toEqual([
      [1, true],
      [2, true],
      [3, false],
    ]);
    const [failed] = await notificationsOf(token);
    expect(failed).toMatchObject({ status: 'FAILED', reason: 'PROVIDER_TIMEOUT', attempts: 3 });
    expect(await deliveriesTo(email)).toHaveLength(0);

    const byCustomer = await h.app.inject({
      method: 'POST',
      url: `/api/v1/notifications/${String(failed!.notificationId)}/retry`,
      headers: { authorization: token },
    });
    expect(byCustomer.statusCode).toBe(403);
    outages.delete(email);
    const retried = await h.app.inject({
      method: 'POST',
      url: `/api/v1/notifications/${String(failed!.notificationId)}/retry`,
      headers: { authorization: adminToken },
    });
    expect(retried.statusCode).toBe(202);
    const [sent] = await h.waitForPublished('NotificationSent', orderId);
    expect(sent).toMatchObject({ notificationId: failed!.notificationId, attempt: 1 });
    expect(await deliveriesTo(email)).toHaveLength(1);
  });

  it('sends one cancellation notice for a NOTIFY_CUSTOMER compensation, answering a repeated request without a second message', async () => {
    const { id } = customer();
    const orderId = randomUUID();
    const email = `${id}@example.com`;
    await h.publish('OrderCreated', orderCreated(orderId, id, { customerEmail: email }));
    const request = await h.publish(
      'CompensationRequested',
      notifyCustomerRequest(orderId, 1, 'CUSTOMER_REQUESTED'),
    );
    const [sent] = await h.waitForPublished('NotificationSent', orderId);
    expect(sent).toMatchObject({
      templateId: 'order-cancellation-notice',
      causationId: request.eventId,
      recipient: email,
    });

    const again = await h.publish(
      'CompensationRequested',
      notifyCustomerRequest(orderId, 2, 'CUSTOMER_REQUESTED'),
    );
    await h.publish('OrderCancelled', {
      orderId,
      customerId: id,
      customerEmail: email,
      reason: 'CUSTOMER_REQUESTED',
      reasonDetails: null,
      initiatedBy: 'CUSTOMER',
      previousStatus: 'PENDING',
    });
    const answers = await h.waitForPublished('NotificationSent', orderId, 2);
    expect(answers[1]!.notificationId).toBe(sent!.notificationId);
    await h.waitUntilConsumed();
    const deliveries = await deliveriesTo(email);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]!.subject).toBe(`Your order ${orderId} could not be completed`);
    // One CompensationOutcome per request.
    const outcomes = await h.waitForPublished('CompensationOutcome', orderId, 2);
    expect(outcomes.map((o) => [o.requestEventId, o.action, o.outcome])).toEqual([
      [request.eventId, 'NOTIFY_CUSTOMER', 'DONE'],
      [again.eventId, 'NOTIFY_CUSTOMER', 'ALREADY_DONE'],
    ]);
  });

  it('tells the customer of a failed order with the order-failed message, once, whether OrderFailed or NOTIFY_CUSTOMER comes first', async () => {
    const { id } = customer();
    const orderId = randomUUID();
    const email = `${id}@example.com`;
    await h.publish('OrderCreated', orderCreated(orderId, id, { customerEmail: email }));
    const failed = await h.publish('OrderFailed', {
      orderId,
      customerId: id,
      customerEmail: email,
      reason: 'PAYMENT_FAILED',
      reasonDetails: 'card declined',
      previousStatus: 'PAYMENT_FAILED',
    });
    const [sent] = await h.waitForPublished('NotificationSent', orderId);
    expect(sent).toMatchObject({ templateId: 'order-failed', causationId: failed.eventId, recipient: email });

    const request = await h.publish(
      'CompensationRequested',
      notifyCustomerRequest(orderId, 1, 'PAYMENT_FAILED'),
    );
    const outcomes = await h.waitForPublished('CompensationOutcome', orderId);
    expect(outcomes.map((o) => [o.requestEventId, o.outcome])).toEqual([[request.eventId, 'ALREADY_DONE']]);
    await h.waitUntilConsumed();
    const deliveries = await deliveriesTo(email);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]!.subject).toBe(`Your order ${orderId} could not be completed`);
    expect(deliveries[0]!.body).toContain('(payment failed)');
    expect(deliveries[0]!.body).not.toContain('cancelled');

    // A saga that fails on stock: NOTIFY_CUSTOMER first sends the failed-order message too.
    const other = randomUUID();
    await h.publish('OrderCreated', orderCreated(other, id, { customerEmail: email }));
    await h.publish('CompensationRequested', notifyCustomerRequest(other, 1, 'INVENTORY_UNAVAILABLE'));
    const [notice] = await h.waitForPublished('NotificationSent', other);
    expect(notice).toMatchObject({ templateId: 'order-failed' });
  });

  it('tells the customer of a refunded return with return-refunded, naming the return as the reference', async () => {
    const { id } = customer();
    const orderId = randomUUID();
    const returnId = randomUUID();
    const email = `${id}@example.com`;
    await h.publish('OrderCreated', orderCreated(orderId, id, { customerEmail: email }));
    const refund = {
      orderId,
      customerId: id,
      customerEmail: email,
      paymentId: randomUUID(),
      refundId: randomUUID(),
      amount: '599.99',
      currency: 'USD',
      fullRefund: false,
    };
    const returned = await h.publish('OrderRefunded', { ...refund, reason: 'RETURN_RECEIVED', returnId });
    const [sent] = await h.waitForPublished('NotificationSent', orderId);
    expect(sent).toMatchObject({
      templateId: 'return-refunded',
      reference: returnId,
      causationId: returned.eventId,
      recipient: email,
    });
    await h.publish('OrderRefunded', {
      ...refund,
      refundId: randomUUID(),
      reason: 'GOODWILL',
      returnId: null,
    });
    const both = await h.waitForPublished('NotificationSent', orderId, 2);
    expect(both[1]).toMatchObject({ templateId: 'order-refunded', reference: null });
    const deliveries = await deliveriesTo(email);
    expect(deliveries.map((d) => d.subject).sort()).toEqual([
      `Refund for order ${orderId}`,
      `Your return for order ${orderId} is refunded`,
    ]);
    expect(deliveries.find((d) => d.subject!.startsWith('Your return'))!.body).toContain(returnId);
  });

  it('answers NOTIFY_CUSTOMER for an order whose customer it never learns with NOT_APPLICABLE, after its retries, never a dead letter', async () => {
    const orderId = randomUUID();
    const request = await h.publish('CompensationRequested', {
      ...notifyCustomerRequest(orderId),
      parameters: {},
    });
    const [outcome] = await h.waitForPublished('CompensationOutcome', orderId);
    expect(outcome).toMatchObject({
      requestEventId: request.eventId,
      causationId: request.eventId,
      outcome: 'NOT_APPLICABLE',
      reasonCode: 'CUSTOMER_UNKNOWN',
    });
    await h.waitUntilConsumed();
    expect(
      h.deadLetters.messages.filter((message) => message.headers['event-id'] === request.eventId),
    ).toEqual([]);
    expect(await h.prisma.notification.count({ where: { orderId } })).toBe(0);
  });

  it('retries an event whose customer is not known yet, then dead-letters it and sends nothing', async () => {
    const orderId = randomUUID();
    const event = await h.publish('ShipmentDelivered', {
      orderId,
      shipmentId: randomUUID(),
      trackingId: 'SIM0000000000000001',
      carrier: 'SIMULATED',
      deliveredAt: Date.now(),
      signedBy: null,
    });
    const dead = await h.deadLetters.waitFor(
      (message) =>
        message.topic === dlqTopicOf(topicOf('ShipmentDelivered')) &&
        message.headers['event-id'] === event.eventId,
      {
        timeoutMs: 30_000,
        description: 'the ShipmentDelivered of an unknown order in the dead-letter topic',
      },
    );
    expect(dead.headers['dlq-error-code']).toBe('CUSTOMER_UNKNOWN');
    expect(dead.headers['dlq-attempts']).toBe('3');
    expect(await h.prisma.notification.count({ where: { orderId } })).toBe(0);
  });
});

describe('preferences and notifications API', () => {
  it('keeps customers to their own data and names bad fields', async () => {
    const a = customer();
    const b = customer();
    const other = await h.app.inject({
      url: `/api/v1/customers/${a.id}/preferences`,
      headers: { authorization: b.token },
    });
    expect(other.statusCode).toBe(403);
    const list = await h.app.inject({
      url: `/api/v1/notifications?customerId=${a.id}`,
      headers: { authorization: b.token },
    });
    expect(list.statusCode).toBe(403);
    const bad = await h.app.inject({
      method: 'PUT',
      url: `/api/v1/customers/${a.id}/preferences`,
      headers: { authorization: a.token },
      payload: { channels: { FAX: true } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.fields[0].field).toBe('body.channels.FAX');
    const phone = await h.app.inject({
      method: 'PUT',
      url: `/api/v1/customers/${a.id}/preferences`,
      headers: { authorization: a.token },
      payload: { phone: '555-0100' },
    });
    expect(phone.json().error.details.fields[0].field).toBe('body.phone');
    expect(await h.prisma.channelPreference.count({ where: { customerId: a.id } })).toBe(0);
  });
});
