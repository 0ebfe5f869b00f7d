import { NonRetriableError } from '@fv/messaging';
import { nameBasedUuid, normalizeCustomerId, type Logger } from '@fv/service-kit';
import type { Db } from '../db/client.js';
import { prepareRecipient, type Recipient } from '../db/contacts.js';
import { insertNotifications, type NewNotification, type Notification } from '../db/notifications.js';
import { channelEnabled, isChannel } from '../domain/channels.js';
import type { NotificationType, Vars } from '../domain/notification-types.js';
import { isValidRecipient } from '../domain/recipients.js';
import { MissingVariablesError, renderMessage } from '../domain/template.js';
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
  /** A business reference besides the order (a return id), carried by the outcome events. */
  reference?: string | null;
  meta: { correlationId: string; causationId: string; traceparent: string | null };
  /** When the message already exists, publish its outcome again (a compensation step waits for an answer). */
  answerAgain?: boolean;
  logger: Logger;
}

/** The outcome events of messages that exist already, published again (a compensation step waits for an answer). */
async function answerAgain(db: Db, deps: NotificationsDeps, existing: Notification[]): Promise<void> {
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

type Failure = { errorCode: string; errorMessage: string };
type Message = { data: NewNotification; failure: Failure | null };

/**
 * One message per active template whose channel the customer receives on: rendered and due now, or
 * SKIPPED (opted out, no valid address) or FAILED (the template cannot be rendered) with its failure.
 */
function messagesFor(
  recipient: Recipient,
  customerId: string,
  sourceEventId: string,
  request: NotificationRequest,
  deps: NotificationsDeps,
): Message[] {
  const { customer, order, preferences } = recipient;
  const own = customer?.selfManaged ? customer : null;
  const addresses = {
    EMAIL: own?.email ?? request.email ?? order?.email ?? customer?.email ?? null,
    SMS: own?.phone ?? request.phone ?? order?.phone ?? customer?.phone ?? null,
    PUSH: customer?.pushToken ?? null,
  };
  const variables: Vars = { ...(order?.name ? { customerName: order.name } : {}), ...request.variables };
  const now = deps.now();
  return recipient.templates.flatMap((template): Message[] => {
    if (!isChannel(template.channel)) return [];
    const channel = template.channel;
    const optedOut = preferences.get(channel) === false;
    if (!optedOut && !channelEnabled(channel, preferences, deps.defaultChannels)) return [];
    const address = addresses[channel];
    const base = {
      id: nameBasedUuid('notifications.notification', `${customerId}|${sourceEventId}|${channel}`),
      customerId,
      orderId: request.orderId,
      sourceEventId,
      sourceEvent: request.sourceEvent,
      templateKey: template.key,
      channel,
      recipient: address,
      correlationId: request.meta.correlationId,
      causationId: request.meta.causationId,
      traceparent: request.meta.traceparent,
      reference: request.reference ?? null,
    };
    const skipped = (reason: string, failure: Failure): Message => ({
      data: { ...base, status: 'SKIPPED', reason, lastError: failure.errorMessage },
      failure,
    });
    if (optedOut) {
      return [
        skipped('OPTED_OUT', {
          errorCode: 'OPTED_OUT',
          errorMessage: `the customer opted out of ${channel}`,
        }),
      ];
    }
    if (!address || !isValidRecipient(channel, address)) {
      const errorMessage = address
        ? `${address} is not a valid ${channel} recipient`
        : `no ${channel} address is known for the customer`;
      return [skipped('RECIPIENT_INVALID', { errorCode: 'RECIPIENT_INVALID', errorMessage })];
    }
    try {
      const message = renderMessage(template, variables);
      const data = {
        ...base,
        status: 'PENDING',
        subject: message.subject,
        body: message.body,
        nextAttemptAt: now,
      };
      return [{ data, failure: null }];
    } catch (error) {
      if (!(error instanceof MissingVariablesError)) throw error;
      const failure = {
        errorCode: 'TEMPLATE_ERROR',
        errorMessage: `template ${template.key}/${channel}: ${error.message}`,
      };
      return [
        {
          data: { ...base, status: 'FAILED', reason: 'TEMPLATE_ERROR', lastError: failure.errorMessage },
          failure,
        },
      ];
    }
  });
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
  const sourceEventId = nameBasedUuid('notifications.source', request.dedupeKey);
  const recipient = await prepareRecipient(db, {
    orderId: request.orderId,
    customerId: request.customerId ? normalizeCustomerId(request.customerId) : null,
    email: request.email,
    phone: request.phone,
    name: request.name,
    templateKey: request.type,
    sourceEventId,
  });
  const { customerId, existing } = recipient;
  if (!customerId) throw new UnknownCustomerError(request.orderId);
  if (existing.length > 0) {
    if (request.answerAgain) await answerAgain(db, deps, existing);
    request.logger.info(
      { customerId, dedupeKey: request.dedupeKey },
      'customer already notified of this; no second message',
    );
    return { created: [], existing };
  }

  const messages = messagesFor(recipient, customerId, sourceEventId, request, deps);
  const created = await insertNotifications(
    db,
    messages.map((message) => message.data),
  );
  for (const notification of created) {
    const failure = messages.find((message) => message.data.id === notification.id)!.failure;
    if (!failure) continue;
    await publishFailed(db, deps, notification, { ...failure, retriable: false });
    request.logger.info(
      { customerId, channel: notification.channel, reason: failure.errorCode },
      `message not sent: ${failure.errorMessage}`,
    );
  }
  return { created, existing: [] };
}
