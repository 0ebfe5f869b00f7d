import type { Template } from '../generated/prisma/client.js';
import { dateOf, text, type PrismaDb, type Row } from './client.js';

export type { Template };

/** A template from `row_to_json` of the table. */
export function toTemplate(row: Row): Template {
  return {
    id: String(row.id),
    key: String(row.key),
    channel: String(row.channel),
    subject: text(row.subject),
    body: String(row.body),
    description: text(row.description),
    active: Boolean(row.active),
    version: Number(row.version),
    createdAt: dateOf(row.created_at),
    updatedAt: dateOf(row.updated_at),
  };
}

export async function findTemplate(db: PrismaDb, id: string) {
  return db.template.findUnique({ where: { id } });
}

export async function findTemplateByKey(db: PrismaDb, key: string, channel: string) {
  return db.template.findUnique({ where: { key_channel: { key, channel } } });
}

export async function listTemplates(
  db: PrismaDb,
  filter: { key?: string; channel?: string; active?: boolean },
) {
  return db.template.findMany({
    where: {
      ...(filter.key ? { key: filter.key } : {}),
      ...(filter.channel ? { channel: filter.channel } : {}),
      ...(filter.active === undefined ? {} : { active: filter.active }),
    },
    orderBy: [{ key: 'asc' }, { channel: 'asc' }],
  });
}
