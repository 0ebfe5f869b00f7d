import type { ConfigVersion } from '../generated/prisma/client.js';
import type { ConfigEntries, ConfigSourceDocument, EntryChange } from './domain/config-document.js';
import type { Db } from '../shared/db.js';

/** Profiles are stored as '' for a service's base configuration. */
export const BASE_PROFILE = '';

export function toDocument(row: ConfigVersion): ConfigSourceDocument {
  return {
    service: row.service,
    profile: row.profile === BASE_PROFILE ? null : row.profile,
    version: row.version,
    entries: row.entries as ConfigEntries,
    secretKeys: row.secretKeys,
  };
}

/** The current version of each source asked for that exists. */
export async function currentVersions(
  db: Db,
  sources: { service: string; profile: string }[],
): Promise<ConfigVersion[]> {
  if (sources.length === 0) return [];
  const current = await db.configSource.findMany({
    where: { OR: sources.map((source) => ({ service: source.service, profile: source.profile })) },
  });
  if (current.length === 0) return [];
  return db.configVersion.findMany({
    where: {
      OR: current.map((source) => ({
        service: source.service,
        profile: source.profile,
        version: source.version,
      })),
    },
  });
}

/** Locks the source for a write; its current version and document, or version 0 when it has none yet. */
export async function lockSource(db: Db, service: string, profile: string): Promise<ConfigVersion | null> {
  const rows = await db.$queryRawUnsafe<{ version: number }[]>(
    'select version from config_sources where service = $1 and profile = $2 for update',
    service,
    profile,
  );
  const version = rows[0]?.version;
  if (version === undefined) return null;
  return db.configVersion.findUnique({ where: { service_profile_version: { service, profile, version } } });
}

export interface NewVersion {
  service: string;
  profile: string;
  version: number;
  entries: ConfigEntries;
  secretKeys: string[];
  changes: EntryChange[];
  operation: 'PUT' | 'PUT_KEY' | 'DELETE_KEY' | 'RESTORE';
  restoredFrom: number | null;
  updatedBy: string | null;
  now: Date;
}

/**
 * Stores a new version and makes it current. A first write of a source that another transaction
 * created meanwhile fails on the primary key (P2002): the caller reports it as a stale write.
 */
export async function storeVersion(db: Db, next: NewVersion): Promise<ConfigVersion> {
  const key = { service: next.service, profile: next.profile };
  if (next.version === 1) {
    await db.configSource.create({ data: { ...key, version: 1, updatedAt: next.now } });
  } else {
    await db.configSource.update({
      where: { service_profile: key },
      data: { version: next.version, updatedAt: next.now },
    });
  }
  return db.configVersion.create({
    data: {
      ...key,
      version: next.version,
      entries: next.entries,
      secretKeys: next.secretKeys,
      changes: next.changes as unknown as object[],
      operation: next.operation,
      restoredFrom: next.restoredFrom,
      updatedBy: next.updatedBy,
      createdAt: next.now,
    },
  });
}

export function findVersion(
  db: Db,
  service: string,
  profile: string,
  version: number,
): Promise<ConfigVersion | null> {
  return db.configVersion.findUnique({ where: { service_profile_version: { service, profile, version } } });
}

export async function listVersions(
  db: Db,
  service: string,
  profile: string,
  page: number,
  size: number,
): Promise<{ rows: ConfigVersion[]; total: number }> {
  const where = { service, profile };
  const [rows, total] = await Promise.all([
    db.configVersion.findMany({ where, orderBy: { version: 'desc' }, skip: page * size, take: size }),
    db.configVersion.count({ where }),
  ]);
  return { rows, total };
}

/** Every key that is or was a secret in any version of the source: older versions never reveal them. */
export async function everSecretKeys(db: Db, service: string, profile: string): Promise<string[]> {
  const rows = await db.$queryRawUnsafe<{ key: string }[]>(
    'select distinct unnest(secret_keys) as key from config_versions where service = $1 and profile = $2',
    service,
    profile,
  );
  return rows.map((row) => row.key).sort();
}
