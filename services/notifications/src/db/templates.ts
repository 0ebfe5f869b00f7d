import type { Db } from './client.js';

export async function activeTemplatesFor(db: Db, key: string) {
  return db.template.findMany({ where: { key, active: true }, orderBy: { channel: 'asc' } });
}

export async function findTemplate(db: Db, id: string) {
  return db.template.findUnique({ where: { id } });
}

export async function findTemplateByKey(db: Db, key: string, channel: string) {
  return db.template.findUnique({ where: { key_channel: { key, channel } } });
}

export async function listTemplates(db: Db, filter: { key?: string; channel?: string; active?: boolean }) {
  return db.template.findMany({
    where: {
      ...(filter.key ? { key: filter.key } : {}),
      ...(filter.channel ? { channel: filter.channel } : {}),
      ...(filter.active === undefined ? {} : { active: filter.active }),
    },
    orderBy: [{ key: 'asc' }, { channel: 'asc' }],
  });
}
