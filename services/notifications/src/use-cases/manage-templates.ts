import { randomUUID } from 'node:crypto';
import { AppError, invalidFields, type FieldIssue } from '@fv/service-kit';
import type { PrismaDb } from '../db/client.js';
import { findTemplate, findTemplateByKey } from '../db/templates.js';
import type { Channel } from '../domain/channels.js';
import { NOTIFICATION_TYPES, type NotificationType } from '../domain/notification-types.js';
import {
  MissingVariablesError,
  malformedPlaceholders,
  placeholdersOf,
  renderMessage,
  type Variables,
} from '../domain/template.js';

export interface TemplateInput {
  key: string;
  channel: Channel;
  subject: string | null;
  body: string;
  description: string | null;
  active: boolean;
}

function notFound(templateId: string) {
  return new AppError('NOT_FOUND', `Template ${templateId} does not exist`, { details: { templateId } });
}

/**
 * A template's text must be well formed, have a subject on e-mail, and use only variables the events of
 * its notification type provide (otherwise every message would fail to render).
 */
function checkTemplate(input: Pick<TemplateInput, 'key' | 'channel' | 'subject' | 'body'>): void {
  const issues: FieldIssue[] = [];
  if (input.channel === 'EMAIL' && (input.subject === null || input.subject.trim() === '')) {
    issues.push({ field: 'body.subject', rule: 'required', message: 'is required for EMAIL templates' });
  }
  for (const [field, text] of [
    ['body.subject', input.subject],
    ['body.body', input.body],
  ] as const) {
    if (text && malformedPlaceholders(text).length > 0) {
      issues.push({
        field,
        rule: 'placeholder',
        message: 'has a malformed placeholder; write {{variableName}}',
      });
    }
  }
  if (issues.length > 0) throw invalidFields(issues);
  const type = NOTIFICATION_TYPES[input.key as NotificationType] as
    { variables: readonly string[] } | undefined;
  if (type) {
    const unknown = placeholdersOf(input.subject, input.body).filter(
      (name) => !type.variables.includes(name),
    );
    if (unknown.length > 0) {
      throw new AppError(
        'UNPROCESSABLE_ENTITY',
        `Template ${input.key} uses variables its events do not provide: ${unknown.join(', ')}`,
        {
          details: {
            reason: 'UNKNOWN_VARIABLES',
            unknownVariables: unknown,
            availableVariables: type.variables,
            field: 'body.body',
          },
        },
      );
    }
  }
}

export async function createTemplate(db: PrismaDb, input: TemplateInput) {
  checkTemplate(input);
  if (await findTemplateByKey(db, input.key, input.channel)) {
    throw new AppError('CONFLICT', `A ${input.channel} template ${input.key} already exists`, {
      details: { reason: 'TEMPLATE_EXISTS', key: input.key, channel: input.channel },
    });
  }
  return db.template.create({ data: { id: randomUUID(), ...input } });
}

export async function updateTemplate(
  db: PrismaDb,
  templateId: string,
  changes: Partial<Pick<TemplateInput, 'subject' | 'body' | 'description' | 'active'>>,
) {
  const rows = await db.$queryRawUnsafe<{ id: string }[]>(
    'select id::text as id from templates where id = $1::uuid for update',
    templateId,
  );
  if (rows.length === 0) throw notFound(templateId);
  const current = (await findTemplate(db, templateId))!;
  const next = {
    key: current.key,
    channel: current.channel as Channel,
    subject: changes.subject === undefined ? current.subject : changes.subject,
    body: changes.body ?? current.body,
  };
  checkTemplate(next);
  return db.template.update({
    where: { id: templateId },
    data: {
      subject: next.subject,
      body: next.body,
      ...(changes.description === undefined ? {} : { description: changes.description }),
      ...(changes.active === undefined ? {} : { active: changes.active }),
      version: { increment: 1 },
    },
  });
}

export async function deleteTemplate(db: PrismaDb, templateId: string): Promise<void> {
  const deleted = await db.template.deleteMany({ where: { id: templateId } });
  if (deleted.count === 0) throw notFound(templateId);
}

export async function getTemplate(db: PrismaDb, templateId: string) {
  const template = await findTemplate(db, templateId);
  if (!template) throw notFound(templateId);
  return template;
}

/** Renders a template with the given variables; every missing variable is named (422). */
export async function previewTemplate(db: PrismaDb, templateId: string, variables: Variables) {
  const template = await getTemplate(db, templateId);
  try {
    return { templateId, channel: template.channel, ...renderMessage(template, variables) };
  } catch (error) {
    if (!(error instanceof MissingVariablesError)) throw error;
    throw new AppError('UNPROCESSABLE_ENTITY', error.message, {
      details: {
        reason: 'MISSING_VARIABLES',
        missingVariables: error.missing,
        fields: error.missing.map((name) => ({
          field: `body.variables.${name}`,
          rule: 'required',
          message: 'is used by the template',
        })),
      },
    });
  }
}
