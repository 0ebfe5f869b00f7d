import { eventCatalog, eventNames } from './generated/catalog.js';
import type { EventName } from './generated/events.js';
import { SchemaRegistryClient, SchemaRegistryError } from './schema-registry-client.js';

export interface SchemaToRegister {
  readonly subject: string;
  /** Schema JSON, or its text. */
  readonly schema: string | object;
  /** Where the schema comes from, for messages, e.g. its file. */
  readonly source?: string;
}

export interface RegistrationFailure {
  readonly subject: string;
  readonly source: string | undefined;
  /** HTTP status of the refusal (409 for an incompatible schema), or `undefined` without a response. */
  readonly status: number | undefined;
  /** The registry's reason. */
  readonly reason: string;
}

/** One or more schemas were not registered; `failures` says which and why. */
export class SchemaRegistrationError extends Error {
  constructor(
    readonly failures: readonly RegistrationFailure[],
    attempted: number,
  ) {
    const lines = failures.map(
      (f) =>
        `  - ${f.subject}${f.source ? ` (${f.source})` : ''}: ` +
        `${f.status === undefined ? 'no response' : `HTTP ${f.status}`}: ${f.reason}`,
    );
    super(`Could not register ${failures.length} of ${attempted} schemas:\n${lines.join('\n')}`);
    this.name = 'SchemaRegistrationError';
  }
}

export interface RegisterSchemasOptions {
  /** Requests in flight at once. Default 4. */
  readonly concurrency?: number;
}

/**
 * Sets each subject's compatibility to BACKWARD, then registers its schema. Idempotent:
 * the same schema keeps its id. Returns subject → schema id, in the order given; throws a
 * {@link SchemaRegistrationError} naming every subject the registry refused.
 */
export async function registerSchemas(
  client: SchemaRegistryClient,
  schemas: readonly SchemaToRegister[],
  options: RegisterSchemasOptions = {},
): Promise<Record<string, number>> {
  const ids = new Map<string, number>();
  const failures: RegistrationFailure[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < schemas.length) {
      const item = schemas[next++]!;
      try {
        await client.setCompatibility(item.subject, 'BACKWARD');
        ids.set(item.subject, await client.register(item.subject, item.schema));
      } catch (error) {
        if (!(error instanceof SchemaRegistryError)) throw error;
        failures.push({
          subject: item.subject,
          source: item.source,
          status: error.status,
          reason: error.reason,
        });
      }
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? 4, schemas.length));
  await Promise.all(Array.from({ length: workers }, worker));
  if (failures.length > 0) {
    const order = new Map(schemas.map((s, i) => [s.subject, i]));
    failures.sort((a, b) => order.get(a.subject)! - order.get(b.subject)!);
    throw new SchemaRegistrationError(failures, schemas.length);
  }
  return Object.fromEntries(schemas.map((s) => [s.subject, ids.get(s.subject)!]));
}

export interface RegisterAllSchemasOptions extends RegisterSchemasOptions {
  /** Base URL of the registry's Confluent API, e.g. `http://127.0.0.1:8090/apis/ccompat/v7`. */
  readonly registryUrl: string;
  /** Register only these events (e.g. the ones a service produces). Default: every event. */
  readonly events?: readonly EventName[];
  /** Time allowed for one HTTP request, in milliseconds. Default 10000. */
  readonly timeoutMs?: number;
}

/**
 * Registers the schema of every event in the catalog under `<topic>-value`, with
 * compatibility BACKWARD. Safe to call at every service start. Returns subject → id.
 */
export async function registerAllSchemas(
  options: RegisterAllSchemasOptions,
): Promise<Record<string, number>> {
  const client = new SchemaRegistryClient({
    url: options.registryUrl,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  const names = options.events ?? eventNames;
  return registerSchemas(
    client,
    names.map((name) => {
      const entry = eventCatalog[name];
      return { subject: entry.subject, schema: entry.schema, source: entry.file };
    }),
    options,
  );
}
