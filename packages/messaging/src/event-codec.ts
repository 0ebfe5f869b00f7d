import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import {
  eventCatalog,
  eventNameOfTopic,
  registerAllSchemas,
  type EventMap,
  type EventName,
} from '@fv/contracts';
import { InfrastructureError, UndecodableMessageError } from './errors.js';

/**
 * Avro encoding in the Confluent wire format (magic byte 0, 4-byte schema id, Avro body) against a
 * Confluent-compatible schema registry (Redpanda's in production). Encoding uses the schema of the
 * catalog, registered (idempotently) under `<topic>-value`; decoding reads with the writer's schema,
 * found by the id in the message, resolved into the catalog's schema (Avro schema evolution).
 */
export interface EventCodecOptions {
  /**
   * How long a schema id the registry answers "not found" for is taken for the registry's outage
   * rather than the message's fault, counted from the first such answer for that id. A registry that
   * has just restarted may serve requests before it has read back every schema it holds (Apicurio's
   * journal, Confluent's `_schemas` topic), so an id it knew a moment ago is briefly unknown; a
   * consumer holds such a message and retries, and dead-letters it only when the id is still unknown
   * after this long. 0 dead-letters at the first "not found".
   */
  unknownSchemaIdGraceMs?: number;
  /** The clock the grace is measured with (tests inject one). */
  now?: () => number;
}

/** Unknown schema ids remembered with the time the registry first denied them. */
const MAX_UNKNOWN_IDS = 1000;

/** The default of {@link EventCodecOptions.unknownSchemaIdGraceMs}. */
export const DEFAULT_UNKNOWN_SCHEMA_ID_GRACE_MS = 60_000;

export class EventCodec {
  readonly registry: SchemaRegistry;
  private readonly unknownSchemaIdGraceMs: number;
  private readonly now: () => number;
  /** Schema ids the registry answered "not found" for, with when it first did. */
  private readonly unknownSince = new Map<number, number>();
  private readonly ids = new Map<string, Promise<number>>();
  /** The catalog's schema of each event, parsed once. */
  private readonly readers = new Map<EventName, avro.Type>();
  /** Per writer schema id and event: how to read its bytes into the catalog's schema. */
  private readonly decoders = new Map<string, Promise<Decoder>>();

  constructor(
    private readonly registryUrl: string,
    options: EventCodecOptions = {},
  ) {
    this.registry = new SchemaRegistry({ host: registryUrl, retry: { retries: 2, maxRetryTimeInSecs: 2 } });
    this.unknownSchemaIdGraceMs = options.unknownSchemaIdGraceMs ?? DEFAULT_UNKNOWN_SCHEMA_ID_GRACE_MS;
    this.now = options.now ?? Date.now;
  }

  /** The registry id of the catalog schema of `name`, registering it when the subject lacks it. */
  async schemaIdOf(name: EventName): Promise<number> {
    const entry = eventCatalog[name];
    let id = this.ids.get(entry.subject);
    if (!id) {
      // The same registration path as `npm run schemas:register` (compatibility BACKWARD, identical
      // schema text), so a service never creates a second version of an unchanged schema.
      id = registerAllSchemas({ registryUrl: this.registryUrl, events: [name] }).then((ids) => {
        const found = ids[entry.subject];
        if (found === undefined) throw new Error(`the registry returned no id for ${entry.subject}`);
        return found;
      });
      this.ids.set(entry.subject, id);
      id.catch(() => this.ids.delete(entry.subject));
    }
    return id;
  }

  async encode<N extends EventName>(name: N, event: EventMap[N]): Promise<Buffer> {
    let id: number;
    try {
      id = await this.schemaIdOf(name);
    } catch (error) {
      throw registryError(`cannot register or look up the schema of ${name}`, error);
    }
    return this.registry.encode(id, event);
  }

  /** Decodes a message of `topic`; throws UndecodableMessageError for bytes that can never be decoded. */
  async decode(
    topic: string,
    value: Buffer | null,
  ): Promise<{ name: EventName; event: EventMap[EventName] }> {
    const name = eventNameOfTopic(topic);
    if (!name) throw new UndecodableMessageError(`topic ${topic} carries no known event`);
    if (!value || value.length < 6)
      throw new UndecodableMessageError('message value is empty or shorter than the wire-format header');
    if (value.readUInt8(0) !== 0) {
      throw new UndecodableMessageError(
        `message does not start with the Avro wire-format magic byte (got ${value.readUInt8(0)})`,
      );
    }
    const schemaId = value.readUInt32BE(1);
    try {
      const decoder = await this.decoderFor(schemaId, name);
      const event = decoder.reader.fromBuffer(value.subarray(5), decoder.resolver) as EventMap[EventName];
      if (this.unknownSince.size > 0) this.unknownSince.delete(schemaId);
      return { name, event };
    } catch (error) {
      const classified = classifyDecodeError(schemaId, error);
      throw classified instanceof UnknownSchemaIdError ? this.withinGrace(classified) : classified;
    }
  }

  /**
   * An unknown schema id is an outage of the registry (held and retried) for the grace period after
   * the registry first denied knowing it, and the message's fault (dead-lettered) after that.
   */
  private withinGrace(error: UnknownSchemaIdError): Error {
    const now = this.now();
    let since = this.unknownSince.get(error.schemaId);
    if (since === undefined) {
      since = now;
      // Bounded: the oldest id goes first (a stream of distinct bogus ids must not grow the map).
      if (this.unknownSince.size >= MAX_UNKNOWN_IDS)
        this.unknownSince.delete(this.unknownSince.keys().next().value!);
      this.unknownSince.set(error.schemaId, now);
    }
    // Past the grace the id stays remembered, so the next message naming it is dead-lettered without
    // a second wait; the registry is still asked first, and an id it comes to know is forgotten here.
    if (now - since >= this.unknownSchemaIdGraceMs) return error;
    return new SchemaIdNotYetKnownError(error, this.unknownSchemaIdGraceMs);
  }

  /**
   * The reader of `name` for bytes written with schema `schemaId`: the catalog's type, with a resolver
   * from the writer's schema when the two differ (Avro schema evolution). Parsing a schema and building
   * a resolver cost far more than decoding a message, so both are done once per writer schema id.
   */
  private decoderFor(schemaId: number, name: EventName): Promise<Decoder> {
    const key = `${schemaId}:${name}`;
    let decoder = this.decoders.get(key);
    if (!decoder) {
      decoder = this.registry.getSchema(schemaId).then((writer) => {
        const reader = this.readerOf(name);
        const writerType = writer as unknown as avro.Type;
        return {
          reader,
          resolver: reader.equals(writerType) ? undefined : reader.createResolver(writerType),
        };
      });
      this.decoders.set(key, decoder);
      // A failed lookup (the registry is down, the id unknown) is not remembered.
      decoder.catch(() => this.decoders.delete(key));
    }
    return decoder;
  }

  private readerOf(name: EventName): avro.Type {
    let reader = this.readers.get(name);
    if (!reader) {
      reader = avro.Type.forSchema(eventCatalog[name].schema as unknown as avro.Schema);
      this.readers.set(name, reader);
    }
    return reader;
  }
}

/** The registry answered that it holds no schema of this id. */
export class UnknownSchemaIdError extends UndecodableMessageError {
  constructor(
    readonly schemaId: number,
    cause: unknown,
  ) {
    super(`unknown schema id ${schemaId}`, { cause });
  }
}

/**
 * An unknown schema id within its grace period: held as an outage of the registry, which may still be
 * reading back its schemas after a restart. `cause` is the {@link UnknownSchemaIdError}.
 */
export class SchemaIdNotYetKnownError extends InfrastructureError {
  constructor(
    readonly unknown: UnknownSchemaIdError,
    graceMs: number,
  ) {
    super(
      `the schema registry does not know schema id ${unknown.schemaId} (yet): held as an outage for up to ${graceMs} ms in case it is still reading back its schemas`,
      { cause: unknown },
    );
    this.name = 'SchemaIdNotYetKnownError';
  }
}

interface Decoder {
  reader: avro.Type;
  resolver: avro.Resolver | undefined;
}

function statusOf(error: unknown): number | undefined {
  const candidate = error as { status?: unknown; response?: { status?: () => number } } | undefined;
  if (typeof candidate?.status === 'number') return candidate.status;
  if (typeof candidate?.response?.status === 'function') return candidate.response.status();
  return undefined;
}

/** A connection that could not be made or was lost: the registry is down, whatever status the client reports. */
const UNREACHABLE = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|socket hang up|fetch failed|timeout/i;

/** What a failed decode means: an outage of the registry (held and retried) or a message nobody can read. */
export function classifyDecodeError(schemaId: number, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  const status = statusOf(error);
  if (status === 404 || /40403|not found/i.test(message)) return new UnknownSchemaIdError(schemaId, error);
  if (status !== undefined && status >= 500) return registryError('schema registry failed', error);
  if (UNREACHABLE.test(message)) return registryError('schema registry unreachable', error);
  return new UndecodableMessageError(`cannot decode Avro body with schema id ${schemaId}: ${message}`, {
    cause: error,
  });
}

export function registryError(message: string, error: unknown): Error {
  const status = statusOf(error);
  const text = error instanceof Error ? error.message : String(error);
  // 4xx from the registry on registration (e.g. 409 incompatible) is a contract problem, not an outage —
  // unless the connection itself failed: the registry client reports a refused connection as a 400.
  if (status !== undefined && status >= 400 && status < 500 && !UNREACHABLE.test(text)) {
    return new Error(`${message}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  return new InfrastructureError(`${message}: ${error instanceof Error ? error.message : String(error)}`, {
    cause: error,
  });
}
