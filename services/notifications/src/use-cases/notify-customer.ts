import { NonRetriableError } from '@fv/messaging';
import { nameBasedUuid, normalizeCustomerId, type Logger } from '@fv/service-kit';
import type { Db } from '../db/client.js';
import { findCustomerContact, findOrderContact, preferencesOf, recordOrderContact } from '../db/contacts.js';
import { notificationsForSource } from '../db/notifications.js';
import { activeTemplatesFor } from '../db/templates.js';
import { channelEnabled, isChannel } from '../domain/channels.js';
import type { NotificationType, Vars } from '../domain/notification-types.js';
import { isValidRecipient } from '../domain/recipients.js';
import { MissingVariablesError, renderMessage } from '../domain/template.js';
import type { Notification } from '../generated/prisma/client.js';
import type { NotificationsDeps } from './deps.js';
import { publishFailed, publishSent } from './outcome-events.js';

/** The customer of an order is not known yet (its OrderCreated has not arrived): retried, then dead-lettered. */
export class UnknownCustomerError extends Error {
  readonly retriable = true;
  readonly code = 'CUSTOMER_UNKNOWN';
  constructor(orderId: string) {
    super(`the customer of order ${orderId} is not known yet`);
    this.name = 'UnknownCustomerError';
  }
}

export interface NotificationRequest {
  type: NotificationType;
  /** Name of the event that asked for it. */
  sourceEvent: string;
  /** What makes the message unique for the customer: the event id, or a key shared by events that mean the same. */
  dedupeKey: string;
  orderId: string;
  customerId: string | null;
  email: string | null;
  phone: string | null;
  name: string | null;
  variables: Vars;
  meta: { correlationId: string; causationId: string; traceparent: string | null };
  /** When the message already exists, publish its outcome again (a compensation step waits for an answer). */
  answerAgain?: boolean;
  logger: Logger;
}

/**
 * Turns an event into one message per channel the customer receives on: rendered now, sent by the
 * dispatcher with retries. The (customer, event, channel) key is unique in the database, so an event
 * never produces a second message. A channel the customer opted out of gets a SKIPPED record with
 * reason OPTED_OUT (and NotificationFailed), as does one without a usable address (RECIPIENT_INVALID);
 * a template that cannot be rendered fails the message (TEMPLATE_ERROR). Returns the messages created
 * now, or those that existed already (nothing is created then).
 */
export async function notifyCustomer(
  db: Db,
  deps: NotificationsDeps,
  request: NotificationRequest,
): Promise<{ created: Notification[]; existing: Notification[] }> {
  if (request.orderId.trim() === '' || request.orderId.length > 100) {
    throw new NonRetriableError(
      `${request.sourceEvent} orderId must have 1 to 100 characters`,
      'INVALID_EVENT',
    );
  }
  if (request.customerId !== null && (request.customerId.trim() === '' || request.customerId.length > 100)) {
    throw new NonRetriableError(
      `${request.sourceEvent} customerId must have 1 to 100 characters`,
      'INVALID_EVENT',
    );
  }
  const orderContact = await findOrderContact(db, request.orderId);
  const customerId = request.customerId ? normalizeCustomerId(request.customerId) : orderContact?.customerId;
  if (!customerId) throw new UnknownCustomerError(request.orderId);
  if (request.email || request.phone || request.name || !orderContact) {
    await recordOrderContact(db, {
      orderId: request.orderId,
      customerId,
      email: request.email,
      phone: request.phone,
      name: request.name,
    });
  }

  const sourceEventId = nameBasedUuid('notifications.source', request.dedupeKey);
  const existing = await notificationsForSource(db, customerId, sourceEventId);
  if (existing.length > 0) {
    if (request.answerAgain) {
      for (const notification of existing) {
        if (notification.status === 'SENT') await publishSent(db, deps, notification);
        else if (notification.status !== 'PENDING') {
          await publishFailed(db, deps, notification, {
            errorCode: notification.reason ?? 'PROVIDER_ERROR',
            errorMessage: notification.lastError ?? 'not sent',
            retriable: false,
          });
        }
      }
    }
    request.logger.info(
      { customerId, dedupeKey: request.dedupeKey },
      'customer already notified of this; no second message',
    );
    return { created: [], existing };
  }

  const [templates, preferences, customer, order] = await Promise.all([
    activeTemplatesFor(db, request.type),
    preferencesOf(db, customerId),
    findCustomerContact(db, customerId),
    findOrderContact(db, request.orderId),
  ]);
  const own = customer?.selfManaged ? customer : null;
  const addresses = {
    EMAIL: own?.email ?? request.email ?? order?.email ?? customer?.email ?? null,
    SMS: own?.phone ?? request.phone ?? order?.phone ?? customer?.phone ?? null,
    PUSH: customer?.pushToken ?? null,
  };
  const variables: Vars = { ...(order?.name ? { customerName: order.name } : {}), ...request.variables };
  const now = deps.now();
  const created: Notification[] = [];

  for (const template of templates) {
    if (!isChannel(template.channel)) continue;
    const channel = template.channel;
    const optedOut = preferences.get(channel) === false;
    if (!optedOut && !channelEnabled(channel, preferences, deps.defaultChannels)) continue;
    const recipient = addresses[channel];
    const base = {
      id: nameBasedUuid('notifications.notification', `${customerId}|${sourceEventId}|${channel}`),
      customerId,
      orderId: request.orderId,
      sourceEventId,
      sourceEvent: request.sourceEvent,
      templateKey: template.key,
      channel,
      recipient,
      correlationId: request.meta.correlationId,
      causationId: request.meta.causationId,
      traceparent: request.meta.traceparent,
    };
    let data: typeof base & {
      status: string;
      reason?: string;
      lastError?: string;
      subject?: string | null;
      body?: string;
      nextAttemptAt?: Date;
    };
    let failure: { errorCode: string; errorMessage: string } | null = null;
    if (optedOut) {
      failure = { errorCode: 'OPTED_OUT', errorMessage: `the customer opted out of ${channel}` };
      data = { ...base, status: 'SKIPPED', reason: 'OPTED_OUT', lastError: failure.errorMessage };
    } else if (!recipient || !isValidRecipient(channel, recipient)) {
      failure = {
        errorCode: 'RECIPIENT_INVALID',
        errorMessage: recipient
          ? `${recipient} is not a valid ${channel} recipient`
          : `no ${channel} address is known for the customer`,
      };
      data = { ...base, status: 'SKIPPED', reason: 'RECIPIENT_INVALID', lastError: failure.errorMessage };
    } else {
      try {
        const message = renderMessage(template, variables);
        data = {
          ...base,
          status: 'PENDING',
          subject: message.subject,
          body: message.body,
          nextAttemptAt: now,
        };
      } catch (error) {
        if (!(error instanceof MissingVariablesError)) throw error;
        failure = {
          errorCode: 'TEMPLATE_ERROR',
          errorMessage: `template ${template.key}/${channel}: ${error.message}`,
        };
        data = { ...base, status: 'FAILED', reason: 'TEMPLATE_ERROR', lastError: failure.errorMessage };
      }
    }
    // The unique (customer, event, channel) key makes a concurrent duplicate a no-op.
    const inserted = await db.notification.createMany({ data: [data], skipDuplicates: true });
    if (inserted.count === 0) continue;
    const notification = await db.notification.findUniqueOrThrow({ where: { id: data.id } });
    created.push(notification);
    if (failure) {
      await publishFailed(db, deps, notification, { ...failure, retriable: false });
      request.logger.info(
        { customerId, channel, reason: failure.errorCode },
        `message not sent: ${failure.errorMessage}`,
      );
    }
  }
  return { created, existing: [] };
}
