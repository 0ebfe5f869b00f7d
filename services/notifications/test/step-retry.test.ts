import { randomUUID } from 'node:crypto';
import type { EventPayload } from '@fv/contracts';
import { confirmedOrderRetryParameters, stepRetryRequested } from '@fv/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelDeliveryError } from '../src/channels/channel-adapter.js';
import { NotificationsHarness, orderConfirmed } from './support.js';

const h = new NotificationsHarness();
/** E-mail addresses whose provider fails for now. */
const down = new Set<string>();

beforeAll(async () => {
  await h.start({
    channels: (_context, local) => ({
      ...local,
      EMAIL: {
        channel: 'EMAIL',
        provider: local.EMAIL.provider,
        async send(message) {
          if (down.has(message.recipient))
            throw new ChannelDeliveryError('PROVIDER_TIMEOUT', 'the e-mail provider did not answer', true);
          return local.EMAIL.send(message);
        },
      },
    }),
  });
});
afterAll(async () => {
  await h.stop();
});

/** A retry of the confirmed order's step, as the coordination service sends it. */
function retryOf(order: EventPayload<'OrderConfirmed'>, attempt = 2, stepName = 'CUSTOMER_NOTIFICATION') {
  return stepRetryRequested(order.orderId, stepName, {
    attempt,
    reason: 'MANUAL_RETRY: e-mail provider back',
    parameters: confirmedOrderRetryParameters(order),
  });
}

describe('StepRetryRequested for CUSTOMER_NOTIFICATION', () => {
  it('sends the order confirmation that failed for good once more, once however often the request is delivered', async () => {
    const customerId = randomUUID();
    const orderId = randomUUID();
    const email = `${customerId}@example.com`;
    down.add(email);
    const order = orderConfirmed(orderId, customerId, { customerEmail: email });
    await h.publish('OrderConfirmed', order);
    const failures = await h.waitForPublished('NotificationFailed', orderId, 3);
    expect(failures.at(-1)).toMatchObject({ templateId: 'order-confirmed', retriable: false });

    down.delete(email);
    const retry = await h.publish('StepRetryRequested', retryOf(order), { correlationId: orderId });
    const [sent] = await h.waitForPublished('NotificationSent', orderId);
    expect(sent).toMatchObject({
      customerId,
      templateId: 'order-confirmed',
      recipient: email,
      causationId: retry.eventId,
    });
    const [delivery] = await h.prisma.recordedDelivery.findMany({ where: { recipient: email } });
    expect(delivery?.body).toContain(orderId);

    // The same request again, the same attempt under another event id, and another service's step.
    await h.publish('StepRetryRequested', retryOf(order), { correlationId: orderId, eventId: retry.eventId });
    await h.publish('StepRetryRequested', retryOf(order), { correlationId: orderId });
    await h.publish('StepRetryRequested', retryOf(order, 2, 'SHIPPING_LABEL_CREATION'), {
      correlationId: orderId,
    });
    await h.waitUntilConsumed();
    expect(await h.prisma.notification.count({ where: { orderId, status: { not: 'FAILED' } } })).toBe(1);
    expect(await h.prisma.recordedDelivery.count({ where: { recipient: email } })).toBe(1);
    expect(await h.published('NotificationSent', orderId)).toHaveLength(1);
  });
});
