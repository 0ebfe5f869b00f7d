import type { Outbox } from '@fv/messaging';
import {
  conflict,
  insufficientPermissions,
  invalidFields,
  notFound,
  type AppError,
  type FieldIssue,
} from '@fv/service-kit';
import {
  BASE_PROFILE,
  currentVersions,
  everSecretKeys,
  findVersion,
  listVersions,
  lockSource,
  storeVersion,
  toDocument,
} from './config-store.js';
import type { Db } from '../shared/db.js';
import {
  DEFAULTS_SERVICE,
  diffEntries,
  keyIssue,
  maskSecrets,
  mergeSources,
  validateEntries,
  valueIssue,
  type ConfigEntries,
  type ConfigSourceDocument,
  type EffectiveConfig,
  type EntryChange,
  type JsonValue,
} from './domain/config-document.js';
import type { ConfigVersion, PrismaClient } from '../generated/prisma/client.js';
import type { ConfigWatch } from './config-watch.js';

export interface ConfigScope {
  service: string;
  /** null for the service's base configuration. */
  profile: string | null;
}

export interface WriteMeta {
  updatedBy: string | null;
  traceparent?: string | null;
}

export interface SourceVersionView {
  service: string;
  profile: string | null;
  version: number;
  entries: ConfigEntries;
  secretKeys: string[];
  changes: EntryChange[];
  operation: string;
  restoredFrom: number | null;
  updatedBy: string | null;
  createdAt: string;
}

export interface WriteResult {
  /** False when the write left the source as it was: no new version was stored. */
  changed: boolean;
  version: SourceVersionView;
}

export interface ConfigServiceDependencies {
  prisma: PrismaClient;
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  outbox: Outbox;
  watch: ConfigWatch;
  clock?: () => Date;
}

const UNIQUE_VIOLATION = 'P2002';

/**
 * The configuration store: versioned sources (platform defaults, a service's keys, a service's profile)
 * with optimistic concurrency, their history and restore, the effective (merged) configuration, and
 * ConfigurationUpdated events committed with each write.
 */
export class ConfigService {
  private readonly clock: () => Date;

  constructor(private readonly deps: ConfigServiceDependencies) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /** Defaults, the service's keys and (when given) its profile, merged; secrets masked unless `reveal`. */
  async effective(service: string, profile: string | null, reveal: boolean): Promise<EffectiveConfig> {
    const scopes = [{ service: DEFAULTS_SERVICE, profile: BASE_PROFILE }];
    if (service !== DEFAULTS_SERVICE) scopes.push({ service, profile: BASE_PROFILE });
    if (profile) scopes.push({ service, profile });
    const rows = await currentVersions(this.deps.prisma, scopes);
    const documents: ConfigSourceDocument[] = scopes.map((scope) => {
      const row = rows.find(
        (candidate) => candidate.service === scope.service && candidate.profile === scope.profile,
      );
      return row
        ? toDocument(row)
        : { service: scope.service, profile: scope.profile || null, version: 0, entries: {}, secretKeys: [] };
    });
    const merged = mergeSources(service, profile, documents);
    return { ...merged, properties: maskSecrets(merged.properties, merged.secretKeys, reveal) };
  }

  /** Waits until the effective version passes `afterVersion`, a write wakes it, or the timeout passes. */
  async watch(
    service: string,
    profile: string | null,
    reveal: boolean,
    afterVersion: number,
    options: { timeoutMs: number; recheckMs: number; signal?: AbortSignal },
  ): Promise<EffectiveConfig> {
    return this.deps.watch.waitFor(
      service,
      () => this.effective(service, profile, reveal),
      (config) => config.version > afterVersion,
      options,
    );
  }

  /**
   * Replaces every key of the source. Keys already secret stay secret (a write need not repeat
   * `secretKeys`); only an admin may declassify one, by naming it in `declassify`.
   */
  async put(
    scope: ConfigScope,
    input: {
      expectedVersion: number;
      entries: Record<string, unknown>;
      secretKeys?: string[];
      declassify?: string[];
    },
    meta: WriteMeta,
    admin: boolean,
  ): Promise<WriteResult> {
    const secretKeys = [...new Set(input.secretKeys ?? [])].sort();
    const declassify = [...new Set(input.declassify ?? [])].sort();
    if (declassify.length > 0 && !admin) throw declassifyRefused(scope, declassify);
    const issues: FieldIssue[] = validateEntries(input.entries, secretKeys, 'body.entries');
    declassify.forEach((key, index) => {
      if (!Object.hasOwn(input.entries, key) || secretKeys.includes(key)) {
        issues.push({
          field: `body.declassify[${index}]`,
          rule: 'enum',
          message: `names ${key}, which is not a key of the write or is also named in secretKeys`,
        });
      }
    });
    if (issues.length) throw invalidFields(issues);
    return this.write(scope, input.expectedVersion, 'PUT', meta, admin, (current) => ({
      entries: input.entries as ConfigEntries,
      secretKeys: [
        ...new Set([
          ...secretKeys,
          ...current.secretKeys.filter(
            (key) => Object.hasOwn(input.entries, key) && !declassify.includes(key),
          ),
        ]),
      ].sort(),
    }));
  }

  /** Sets one key, leaving the others as they are. */
  async putKey(
    scope: ConfigScope,
    key: string,
    input: { expectedVersion: number; value: unknown; secret?: boolean },
    meta: WriteMeta,
    reveal: boolean,
  ): Promise<WriteResult> {
    const issue = keyIssue(key, 'params.key') ?? valueIssue(key, input.value, 'body.value');
    if (issue) throw invalidFields([issue]);
    return this.write(scope, input.expectedVersion, 'PUT_KEY', meta, reveal, (current) => {
      const wasSecret = current.secretKeys.includes(key);
      if (wasSecret && input.secret === false && !reveal) throw declassifyRefused(scope, [key]);
      const secret = input.secret ?? wasSecret;
      return {
        entries: { ...current.entries, [key]: input.value as JsonValue },
        secretKeys: [
          ...current.secretKeys.filter((candidate) => candidate !== key),
          ...(secret ? [key] : []),
        ].sort(),
      };
    });
  }

  async deleteKey(
    scope: ConfigScope,
    key: string,
    expectedVersion: number,
    meta: WriteMeta,
    reveal: boolean,
  ): Promise<WriteResult> {
    return this.write(scope, expectedVersion, 'DELETE_KEY', meta, reveal, (current) => {
      if (!Object.hasOwn(current.entries, key)) {
        throw notFound('NOT_FOUND', `Configuration key ${key} is not set for ${describe(scope)}`, {
          service: scope.service,
          profile: scope.profile,
          key,
          reason: 'CONFIG_KEY_NOT_FOUND',
        });
      }
      const { [key]: _removed, ...entries } = current.entries;
      return { entries, secretKeys: current.secretKeys.filter((candidate) => candidate !== key) };
    });
  }

  /** Stores the entries of an earlier version as a new version. */
  async restore(
    scope: ConfigScope,
    version: number,
    expectedVersion: number,
    meta: WriteMeta,
    reveal: boolean,
  ): Promise<WriteResult> {
    const earlier = await findVersion(
      this.deps.prisma,
      scope.service,
      scope.profile ?? BASE_PROFILE,
      version,
    );
    if (!earlier) throw versionNotFound(scope, version);
    return this.write(
      scope,
      expectedVersion,
      'RESTORE',
      meta,
      reveal,
      // Restoring a version written before a key became secret keeps the key secret.
      (current) => {
        const entries = earlier.entries as ConfigEntries;
        const carried = current.secretKeys.filter((key) => Object.hasOwn(entries, key));
        return { entries, secretKeys: [...new Set([...earlier.secretKeys, ...carried])].sort() };
      },
      version,
    );
  }

  async history(
    scope: ConfigScope,
    page: number,
    size: number,
    reveal: boolean,
  ): Promise<{ currentVersion: number; versions: SourceVersionView[]; total: number }> {
    const { rows, total } = await listVersions(
      this.deps.prisma,
      scope.service,
      scope.profile ?? BASE_PROFILE,
      page,
      size,
    );
    const current = await this.deps.prisma.configSource.findUnique({
      where: { service_profile: { service: scope.service, profile: scope.profile ?? BASE_PROFILE } },
    });
    const masked = reveal
      ? []
      : await everSecretKeys(this.deps.prisma, scope.service, scope.profile ?? BASE_PROFILE);
    return {
      currentVersion: current?.version ?? 0,
      versions: rows.map((row) => versionView(row, reveal, masked)),
      total,
    };
  }

  async version(scope: ConfigScope, version: number, reveal: boolean): Promise<SourceVersionView> {
    const row = await findVersion(this.deps.prisma, scope.service, scope.profile ?? BASE_PROFILE, version);
    if (!row) throw versionNotFound(scope, version);
    const masked = reveal
      ? []
      : await everSecretKeys(this.deps.prisma, scope.service, scope.profile ?? BASE_PROFILE);
    return versionView(row, reveal, masked);
  }

  private async write(
    scope: ConfigScope,
    expectedVersion: number,
    operation: 'PUT' | 'PUT_KEY' | 'DELETE_KEY' | 'RESTORE',
    meta: WriteMeta,
    reveal: boolean,
    next: (current: { entries: ConfigEntries; secretKeys: string[] }) => {
      entries: ConfigEntries;
      secretKeys: string[];
    },
    restoredFrom: number | null = null,
  ): Promise<WriteResult> {
    const profile = scope.profile ?? BASE_PROFILE;
    let result: WriteResult;
    try {
      result = await this.deps.transaction(async (tx) => {
        const current = await lockSource(tx, scope.service, profile);
        const currentVersion = current?.version ?? 0;
        if (expectedVersion !== currentVersion) throw staleWrite(scope, expectedVersion, currentVersion);
        const before = {
          entries: (current?.entries as ConfigEntries | undefined) ?? {},
          secretKeys: current?.secretKeys ?? [],
        };
        const after = next(before);
        const changes = diffEntries(before.entries, before.secretKeys, after.entries, after.secretKeys);
        const masked = reveal ? [] : await everSecretKeys(tx, scope.service, profile);
        if (current && changes.length === 0)
          return { changed: false, version: versionView(current, reveal, masked) };
        const stored = await storeVersion(tx, {
          service: scope.service,
          profile,
          version: currentVersion + 1,
          entries: after.entries,
          secretKeys: after.secretKeys,
          changes,
          operation,
          restoredFrom,
          updatedBy: meta.updatedBy,
          now: this.clock(),
        });
        await this.deps.outbox.publish(
          tx,
          'ConfigurationUpdated',
          {
            service: scope.service,
            profile: scope.profile,
            version: stored.version,
            changes: changes.map(({ key, change }) => {
              const secret = after.secretKeys.includes(key);
              const value = change === 'REMOVED' || secret ? null : JSON.stringify(after.entries[key]);
              return { key, value, secret };
            }),
            updatedBy: meta.updatedBy,
          },
          {
            correlationId: `config-${scope.service}`,
            key: scope.service,
            traceparent: meta.traceparent ?? null,
          },
        );
        return { changed: true, version: versionView(stored, reveal, [...masked, ...after.secretKeys]) };
      });
    } catch (error) {
      // Two first writes of the same source raced; the loser named version 0, which is now stale.
      if ((error as { code?: string }).code === UNIQUE_VIOLATION)
        throw staleWrite(scope, expectedVersion, expectedVersion + 1);
      throw error;
    }
    if (result.changed) this.deps.watch.notify(scope.service, scope.service === DEFAULTS_SERVICE);
    return result;
  }
}

function describe(scope: ConfigScope): string {
  return scope.profile ? `${scope.service} (profile ${scope.profile})` : scope.service;
}

function staleWrite(scope: ConfigScope, expected: number, current: number): AppError {
  return conflict(
    'CONFLICT',
    `The configuration of ${describe(scope)} is at version ${current}, not ${expected}; read it again and retry`,
    {
      service: scope.service,
      profile: scope.profile,
      expectedVersion: expected,
      currentVersion: current,
      reason: 'STALE_VERSION',
    },
  );
}

function versionNotFound(scope: ConfigScope, version: number): AppError {
  return notFound(
    'NOT_FOUND',
    `Version ${version} of the configuration of ${describe(scope)} does not exist`,
    {
      service: scope.service,
      profile: scope.profile,
      version,
      reason: 'CONFIG_VERSION_NOT_FOUND',
    },
  );
}

function declassifyRefused(scope: ConfigScope, keys: string[]): AppError {
  return insufficientPermissions(
    `Only an admin may declassify a secret of the configuration of ${describe(scope)}`,
    { service: scope.service, profile: scope.profile, keys },
  );
}

/**
 * A stored version as callers see it: without the admin role, a key that is or ever was a secret in the
 * source (`everSecret`) is masked in every version, so history never reveals a value later made secret.
 */
function versionView(row: ConfigVersion, reveal: boolean, everSecret: readonly string[]): SourceVersionView {
  const document = toDocument(row);
  return {
    service: document.service,
    profile: document.profile,
    version: row.version,
    entries: maskSecrets(document.entries, [...new Set([...document.secretKeys, ...everSecret])], reveal),
    secretKeys: document.secretKeys,
    changes: row.changes as unknown as EntryChange[],
    operation: row.operation,
    restoredFrom: row.restoredFrom,
    updatedBy: row.updatedBy,
    createdAt: row.createdAt.toISOString(),
  };
}
