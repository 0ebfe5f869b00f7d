import { idPattern } from '@fv/service-kit';
import { CHANNELS } from '../domain/channels.js';

export const idSchema = {
  type: 'string',
  pattern: idPattern(),
  description: 'UUID; the prefixed form (e.g. tpl-<uuid>) is accepted',
} as const;

export const customerIdSchema = { type: 'string', minLength: 1, maxLength: 100 } as const;
export const channelSchema = { type: 'string', enum: CHANNELS } as const;
const nullableString = { type: 'string', nullable: true } as const;
const nullableDate = { type: 'string', format: 'date-time', nullable: true } as const;

export const pagingQuery = {
  page: { type: 'integer', minimum: 0, default: 0 },
  size: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
} as const;

export const templateSchema = {
  type: 'object',
  properties: {
    templateId: { type: 'string', format: 'uuid' },
    key: { type: 'string' },
    channel: channelSchema,
    subject: nullableString,
    body: { type: 'string' },
    description: nullableString,
    active: { type: 'boolean' },
    version: { type: 'integer' },
    variables: { type: 'array', items: { type: 'string' }, description: 'Placeholders the template uses' },
    availableVariables: {
      type: 'array',
      nullable: true,
      items: { type: 'string' },
      description: 'Variables the events of this notification type provide (null for a key no event uses)',
    },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const notificationSchema = {
  type: 'object',
  properties: {
    notificationId: { type: 'string', format: 'uuid' },
    customerId: { type: 'string' },
    orderId: nullableString,
    sourceEvent: { type: 'string' },
    templateId: { type: 'string' },
    channel: channelSchema,
    recipient: nullableString,
    subject: nullableString,
    body: nullableString,
    status: { type: 'string', enum: ['PENDING', 'SENT', 'FAILED', 'SKIPPED'] },
    reason: nullableString,
    lastError: nullableString,
    attempts: { type: 'integer' },
    nextAttemptAt: nullableDate,
    provider: nullableString,
    providerMessageId: nullableString,
    createdAt: { type: 'string', format: 'date-time' },
    sentAt: nullableDate,
  },
} as const;

/** A customer's changes to their preferences: channels opted in or out, and contact details. */
export const preferenceChangesSchema = {
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
} as const;

export const preferencesSchema = {
  type: 'object',
  properties: {
    customerId: { type: 'string' },
    channels: {
      type: 'object',
      properties: Object.fromEntries(
        CHANNELS.map((channel) => [
          channel,
          {
            type: 'object',
            properties: {
              enabled: { type: 'boolean' },
              source: { type: 'string', enum: ['CUSTOMER', 'DEFAULT'] },
            },
          },
        ]),
      ),
    },
    contact: {
      type: 'object',
      properties: {
        email: nullableString,
        phone: nullableString,
        pushToken: nullableString,
        selfManaged: { type: 'boolean' },
      },
    },
  },
} as const;
