import type { Notification, Template } from '../generated/prisma/client.js';
import { NOTIFICATION_TYPES, type NotificationType } from '../domain/notification-types.js';
import { placeholdersOf } from '../domain/template.js';

const iso = (value: Date | null) => (value ? value.toISOString() : null);

export function templateView(template: Template) {
  const type = NOTIFICATION_TYPES[template.key as NotificationType] as
    { variables: readonly string[] } | undefined;
  return {
    templateId: template.id,
    key: template.key,
    channel: template.channel,
    subject: template.subject,
    body: template.body,
    description: template.description,
    active: template.active,
    version: template.version,
    variables: placeholdersOf(template.subject, template.body),
    availableVariables: type ? [...type.variables] : null,
    createdAt: template.createdAt.toISOString(),
    updatedAt: template.updatedAt.toISOString(),
  };
}

export function notificationView(notification: Notification) {
  return {
    notificationId: notification.id,
    customerId: notification.customerId,
    orderId: notification.orderId,
    sourceEvent: notification.sourceEvent,
    templateId: notification.templateKey,
    channel: notification.channel,
    recipient: notification.recipient,
    subject: notification.subject,
    body: notification.body,
    status: notification.status,
    reason: notification.reason,
    lastError: notification.lastError,
    attempts: notification.attempts,
    nextAttemptAt: iso(notification.nextAttemptAt),
    provider: notification.provider,
    providerMessageId: notification.providerMessageId,
    createdAt: notification.createdAt.toISOString(),
    sentAt: iso(notification.sentAt),
  };
}
