import {
  avroTypeOf,
  catalogEntryOf,
  EventValidationError,
  topicOf,
  validateEvent,
  type EventMap,
  type EventName,
} from '@fv/contracts';
import { Prng } from './prng.js';

/**
 * Schema-valid sample events, for contract tests between a consumer and the schemas of the events it
 * consumes: random values of each field's Avro type, plus one variant per optional field left null,
 * per array or map left empty, per enum symbol and per union branch. A handler that relies on
 * something its schema does not promise fails on one of them, and the sample's label says which.
 *
 * Samples are what the consumer's decoder hands a handler: optional fields that a producer left out
 * arrive as null (the schema's default), so "absent" and "null" are the same case here.
 */
export interface EventSample<N extends EventName = EventName> {
  readonly name: N;
  /** What this sample varies, e.g. `random #3`, `items[].sku null`, `items empty`, `action = RELEASE_INVENTORY`. */
  readonly label: string;
  readonly event: EventMap[N];
}

export interface EventSampleOptions {
  /** Random samples besides the variants (default 10). */
  random?: number;
  /** Seed of the generator (default: derived from the event name); the same seed gives the same samples. */
  seed?: number;
  /** Timestamps are spread around this instant, in epoch milliseconds (default 2026-01-15T10:00:00Z). */
  around?: number;
}

/** The schema file of an event, from the repository root (`schemas/order/order-created.avsc`). */
export function schemaFileOf(name: EventName): string {
  return catalogEntryOf(name).file;
}

type Json = Record<string, unknown>;

/** How one sample is drawn: which optional fields are null, which collections empty, which branch taken. */
interface Draw {
  /** `random`: each optional field null or set at random; `set`: none null; `null`: all null. */
  nulls: 'random' | 'set' | 'null';
  /** A path that is null (and everything else set), for the one-field-null variants. */
  nullAt?: string;
  /** A collection that is empty. */
  emptyAt?: string;
  /** Edge values the types admit (0, -1, the largest int, negative amounts, empty strings) besides ordinary ones. */
  edges?: boolean;
  /** An enum symbol or a union branch (its index) forced at a path. */
  pick?: { path: string; value: string | number };
}

/** The generator of the samples (a {@link Prng}), so a failing sample can be drawn again. */
class Random extends Prng {
  chance(p: number): boolean {
    return this.next() < p;
  }
  choice<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  hex(length: number): string {
    let out = '';
    for (let i = 0; i < length; i += 1) out += '0123456789abcdef'[this.int(0, 15)];
    return out;
  }
  uuid(): string {
    const variant = '89ab'[this.int(0, 3)];
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${variant}${this.hex(3)}-${this.hex(12)}`;
  }
  text(): string {
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_ .';
    let out = '';
    for (let i = this.int(0, 16); i > 0; i -= 1) out += alphabet[this.int(0, alphabet.length - 1)];
    return out;
  }
}

function seedOf(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return hash >>> 0;
}

/** A schema walker that resolves named types, for one event's schema. */
class SampleWriter {
  private readonly named = new Map<string, Json>();

  constructor(
    private readonly random: Random,
    private readonly draw: Draw,
    private readonly around: number,
  ) {}

  record(schema: Json, path: string, namespace: string): Json {
    const ns = typeof schema.namespace === 'string' ? schema.namespace : namespace;
    this.remember(schema, ns);
    const out: Json = {};
    for (const field of schema.fields as Json[]) {
      const name = field.name as string;
      out[name] = this.value(field.type, path ? `${path}.${name}` : name, ns);
    }
    return out;
  }

  private remember(schema: Json, namespace: string): void {
    const name = schema.name as string;
    this.named.set(name, schema);
    this.named.set(name.includes('.') ? name : `${namespace}.${name}`, schema);
  }

  private value(type: unknown, path: string, namespace: string): unknown {
    if (typeof type === 'string')
      return this.named.has(type) ? this.named_(type, path, namespace) : this.primitive({ type }, path);
    if (Array.isArray(type)) return this.union(type, path, namespace);
    const schema = type as Json;
    switch (schema.type) {
      case 'record':
        return this.record(schema, path, namespace);
      case 'enum': {
        this.remember(schema, typeof schema.namespace === 'string' ? schema.namespace : namespace);
        const symbols = schema.symbols as string[];
        const pick = this.draw.pick?.path === path ? this.draw.pick.value : undefined;
        return typeof pick === 'string' ? pick : this.random.choice(symbols);
      }
      case 'fixed':
        this.remember(schema, typeof schema.namespace === 'string' ? schema.namespace : namespace);
        return Buffer.from(this.random.hex((schema.size as number) * 2), 'hex');
      case 'array': {
        const count =
          this.draw.emptyAt === path ? 0 : this.draw.nulls === 'random' ? this.random.int(1, 3) : 1;
        return Array.from({ length: count }, () => this.value(schema.items, `${path}[]`, namespace));
      }
      case 'map': {
        const count =
          this.draw.emptyAt === path ? 0 : this.draw.nulls === 'random' ? this.random.int(1, 3) : 1;
        const out: Json = {};
        for (let i = 0; i < count; i += 1)
          out[`${this.random.text() || 'key'}${i}`] = this.value(schema.values, `${path}{}`, namespace);
        return out;
      }
      default:
        if (typeof schema.type === 'object' && schema.type !== null)
          return this.value(schema.type, path, namespace);
        if (typeof schema.type === 'string' && this.named.has(schema.type))
          return this.named_(schema.type, path, namespace);
        return this.primitive(schema, path);
    }
  }

  private named_(name: string, path: string, namespace: string): unknown {
    const schema = this.named.get(name) ?? this.named.get(`${namespace}.${name}`)!;
    return this.value({ ...schema }, path, namespace);
  }

  private union(branches: unknown[], path: string, namespace: string): unknown {
    const nullable = branches.includes('null');
    const others = branches.filter((branch) => branch !== 'null');
    if (nullable) {
      const isNull =
        this.draw.nullAt === path ||
        (this.draw.nullAt === undefined &&
          (this.draw.nulls === 'null' || (this.draw.nulls === 'random' && this.random.chance(0.5))));
      if (isNull || others.length === 0) return null;
    }
    const pick = this.draw.pick?.path === path ? this.draw.pick.value : undefined;
    const branch = typeof pick === 'number' ? others[pick] : this.random.choice(others);
    return this.value(branch, path, namespace);
  }

  private primitive(schema: Json, path: string): unknown {
    const random = this.random;
    const edge = this.draw.edges === true && random.chance(0.15);
    switch (schema.type) {
      case 'null':
        return null;
      case 'boolean':
        return random.chance(0.5);
      case 'int':
        return edge ? random.choice([0, -1, 2147483647]) : random.int(1, 1000);
      case 'long':
        if (schema.logicalType === 'timestamp-millis')
          return this.around + random.int(-30 * 86_400, 30 * 86_400) * 1000 + random.int(0, 999);
        return edge ? random.choice([0, -1]) : random.int(1, 1_000_000);
      case 'float':
      case 'double':
        return edge ? random.choice([0, -1.5]) : Math.round(random.next() * 100_000) / 100;
      case 'bytes':
        return Buffer.from(random.hex(random.int(0, 16) * 2), 'hex');
      case 'string':
        if (schema.logicalType === 'uuid') return random.uuid();
        if (schema['x-format'] === 'decimal') {
          if (edge) return random.choice(['0', '0.00', '-1.00', '99999999.99']);
          return `${random.int(0, 9999)}.${String(random.int(0, 99)).padStart(2, '0')}`;
        }
        return edge ? '' : random.text() || 'x';
      default:
        throw new Error(`${path}: unsupported Avro type ${JSON.stringify(schema.type)}`);
    }
  }
}

interface SchemaPaths {
  nullable: string[];
  collections: string[];
  enums: { path: string; symbols: string[] }[];
  unions: { path: string; branches: number }[];
}

/** The paths of a schema's optional fields, collections, enums and multi-branch unions. */
function pathsOf(schema: Json): SchemaPaths {
  const paths: SchemaPaths = { nullable: [], collections: [], enums: [], unions: [] };
  const named = new Map<string, Json>();
  const seen = new Set<string>();
  const walk = (type: unknown, path: string): void => {
    if (typeof type === 'string') {
      const target = named.get(type) ?? [...named.entries()].find(([key]) => key.endsWith(`.${type}`))?.[1];
      if (target && !seen.has(`${path}@${type}`)) {
        seen.add(`${path}@${type}`);
        walk({ ...target }, path);
      }
      return;
    }
    if (Array.isArray(type)) {
      const others = type.filter((branch) => branch !== 'null');
      if (others.length < type.length) paths.nullable.push(path);
      if (others.length > 1) paths.unions.push({ path, branches: others.length });
      for (const branch of others) walk(branch, path);
      return;
    }
    const schemaNode = type as Json;
    if (typeof schemaNode.name === 'string' && typeof schemaNode.type === 'string')
      named.set(schemaNode.name, schemaNode);
    switch (schemaNode.type) {
      case 'record':
        for (const field of schemaNode.fields as Json[])
          walk(field.type, path ? `${path}.${field.name as string}` : (field.name as string));
        return;
      case 'enum':
        paths.enums.push({ path, symbols: schemaNode.symbols as string[] });
        return;
      case 'array':
        paths.collections.push(path);
        walk(schemaNode.items, `${path}[]`);
        return;
      case 'map':
        paths.collections.push(path);
        walk(schemaNode.values, `${path}{}`);
        return;
      default:
        if (typeof schemaNode.type === 'object' && schemaNode.type !== null) walk(schemaNode.type, path);
    }
  };
  walk(schema, '');
  return paths;
}

/** An event as the consumer's decoder hands it over: encoded with the schema and decoded again. */
function decoded<N extends EventName>(name: N, label: string, value: Json): EventMap[N] {
  const issues = validateEvent(name, value);
  if (issues.length > 0) {
    throw new Error(
      `the ${label} sample of ${name} breaks its own schema (${schemaFileOf(name)}): ${JSON.stringify(issues)}`,
    );
  }
  const type = avroTypeOf(name);
  return type.fromBuffer(type.toBuffer(value)) as EventMap[N];
}

/**
 * Schema-valid samples of `name`: `random` random ones, then one with every optional field set, one
 * with every optional field null, one per optional field null (the rest set), one per array or map
 * empty, one per enum symbol and one per branch of each union with more than one non-null branch.
 */
export function eventSamples<N extends EventName>(
  name: N,
  options: EventSampleOptions = {},
): EventSample<N>[] {
  const schema = catalogEntryOf(name).schema as unknown as Json;
  const around = options.around ?? Date.parse('2026-01-15T10:00:00Z');
  const random = new Random(options.seed ?? seedOf(name));
  const draw = (label: string, how: Draw): EventSample<N> => ({
    name,
    label,
    event: decoded(name, label, new SampleWriter(random, how, around).record(schema, '', '')),
  });
  const paths = pathsOf(schema);
  const samples: EventSample<N>[] = [];
  for (let i = 0; i < (options.random ?? 10); i += 1)
    samples.push(draw(`random #${i}`, { nulls: 'random', edges: true }));
  samples.push(draw('every optional field set', { nulls: 'set' }));
  if (paths.nullable.length > 0) samples.push(draw('every optional field null', { nulls: 'null' }));
  for (const path of paths.nullable) samples.push(draw(`${path} null`, { nulls: 'set', nullAt: path }));
  for (const path of paths.collections) samples.push(draw(`${path} empty`, { nulls: 'set', emptyAt: path }));
  for (const { path, symbols } of paths.enums)
    for (const symbol of symbols)
      samples.push(draw(`${path} = ${symbol}`, { nulls: 'random', pick: { path, value: symbol } }));
  for (const { path, branches } of paths.unions)
    for (let branch = 0; branch < branches; branch += 1)
      samples.push(draw(`${path} as branch ${branch}`, { nulls: 'set', pick: { path, value: branch } }));
  return samples;
}

let setups = 0;

/**
 * One ordinary event of `name` (every optional field set, no edge values, a fresh eventId), changed by
 * `change`: for setting up, through a service's own handlers, the rows a contract test needs.
 */
export function setupSample<N extends EventName>(
  name: N,
  change: (event: EventMap[N]) => void = () => undefined,
): EventSample<N> {
  setups += 1;
  const drawn = eventSamples(name, { random: 0, seed: seedOf(name) + setups })[0]!;
  return {
    ...withFields(drawn, (event) => {
      event.eventId = new Random(seedOf(name) ^ setups).uuid();
      change(event);
    }),
    label: 'setup',
  };
}

/**
 * True for the samples that vary only which optional fields are set (`every optional field set`,
 * `every optional field null`, `<field> null`): about rows a service has, it should handle them.
 */
export function isOptionalFieldVariant(sample: EventSample): boolean {
  return /^(every optional field (set|null)|\S+ null)$/.test(sample.label);
}

/** Sets back to null what `drawn` has null and `changed` filled in (arrays item by item). */
function restoreNulls(drawn: unknown, changed: unknown): unknown {
  if (drawn === null) return null;
  if (Array.isArray(drawn) && Array.isArray(changed))
    return changed.map((item: unknown, i) => (i < drawn.length ? restoreNulls(drawn[i], item) : item));
  if (
    drawn &&
    changed &&
    typeof drawn === 'object' &&
    typeof changed === 'object' &&
    !Buffer.isBuffer(drawn) &&
    !Array.isArray(changed)
  ) {
    const out: Json = { ...(changed as Json) };
    for (const [key, value] of Object.entries(drawn as Json))
      if (key in out) out[key] = restoreNulls(value, out[key]);
    return out;
  }
  return changed;
}

/**
 * The sample with some fields changed (ids of rows the test created, so a handler finds them). An
 * optional field the sample leaves null stays null, so its one-field-null variant is still that
 * (unless `keepNulls` is false), and a change that breaks the schema fails naming the sample.
 */
export function withFields<N extends EventName>(
  sample: EventSample<N>,
  change: (event: EventMap[N]) => void,
  options: { keepNulls?: boolean } = {},
): EventSample<N> {
  const event = structuredClone(sample.event);
  change(event);
  const kept = options.keepNulls === false ? event : restoreNulls(sample.event, event);
  return { ...sample, event: decoded(sample.name, sample.label, kept as Json) };
}

/* ------------------------------------------------------------------------------------------------ */
/* Running samples through a consumer's handlers the way the service's event consumer runs them.    */
/* ------------------------------------------------------------------------------------------------ */

/** A handler of @fv/messaging (event, context) => Promise<void>; typed loosely to keep this package free of it. */
type AnyHandler = (event: never, context: never) => Promise<void>;

/** What a contract test knows of one consumer of a service: its registration and its database. */
export interface ConsumerUnderTest {
  /** The service's name, for failure messages. */
  service: string;
  /** The consumer's registration, as the service returns it from `consumers(context)`. */
  handlers: Partial<Record<EventName, AnyHandler>>;
  deadLetterHandlers?: Partial<Record<EventName, AnyHandler>>;
  /** Retries of a retriable failure before the event is dead-lettered (the consumer's retry policy; default 3). */
  retries?: number;
  /** Runs `fn` in a transaction of the service's database, as the consumer does for each attempt. */
  transaction<T>(fn: (tx: unknown) => Promise<T>): Promise<T>;
  /** The logger handed to handlers. */
  logger: { child(bindings: Record<string, unknown>): unknown };
}

export type SampleOutcome =
  | { result: 'handled'; attempts: number }
  | { result: 'refused'; attempts: number; error: unknown; deadLetterError?: unknown };

const TRACEPARENT = `00-${'4bf92f3577b34da6a3ce929d0e0e4736'}-${'00f067aa0ba902b7'}-01`;

function isRetriableError(error: unknown): boolean {
  if (error instanceof EventValidationError) return false;
  if (error && typeof error === 'object' && 'retriable' in error)
    return Boolean((error as { retriable: unknown }).retriable);
  return true;
}

function codeOf(error: unknown): string {
  if (error instanceof EventValidationError) return 'EVENT_VALIDATION_FAILED';
  if (error && typeof error === 'object' && typeof (error as { code?: unknown }).code === 'string')
    return (error as { code: string }).code;
  return error instanceof Error ? error.name : 'UNKNOWN';
}

/**
 * Runs one sample through the consumer's handler as its event consumer would: each attempt in a
 * transaction of its own (rolled back when it fails), a retriable failure tried again up to `retries`
 * times, and a failure that stays — dead-lettered by the consumer — handed to the event's dead-letter
 * hook, if it has one, in a transaction of its own.
 */
export async function consumeSample<N extends EventName>(
  consumer: ConsumerUnderTest,
  sample: EventSample<N>,
): Promise<SampleOutcome> {
  const handler = consumer.handlers[sample.name] as
    ((event: EventMap[N], context: unknown) => Promise<void>) | undefined;
  if (!handler) throw new Error(`${consumer.service} has no handler of ${sample.name}`);
  const event = sample.event;
  const retries = consumer.retries ?? 3;
  const logger = consumer.logger.child({ event: sample.name, eventId: event.eventId, sample: sample.label });
  const causedBy = () => ({
    correlationId: event.correlationId,
    causationId: event.eventId,
    traceparent: TRACEPARENT,
  });
  let attempt = 0;
  let error: unknown;
  for (;;) {
    attempt += 1;
    try {
      await consumer.transaction((tx) =>
        handler(structuredClone(event), {
          tx,
          topic: topicOf(sample.name),
          partition: 0,
          offset: String(attempt),
          attempt,
          headers: { 'event-id': event.eventId, 'event-name': sample.name, traceparent: TRACEPARENT },
          logger,
          causedBy,
        }),
      );
      return { result: 'handled', attempts: attempt };
    } catch (caught) {
      error = caught;
      if (!isRetriableError(caught) || attempt > retries) break;
    }
  }
  const deadLetter = consumer.deadLetterHandlers?.[sample.name] as
    ((event: EventMap[N], context: unknown) => Promise<void>) | undefined;
  if (!deadLetter) return { result: 'refused', attempts: attempt, error };
  try {
    await consumer.transaction((tx) =>
      deadLetter(structuredClone(event), { tx, error, errorCode: codeOf(error), logger, causedBy }),
    );
    return { result: 'refused', attempts: attempt, error };
  } catch (deadLetterError) {
    return { result: 'refused', attempts: attempt, error, deadLetterError };
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const frame = error.stack?.split('\n').find((line) => line.includes('/src/'));
    return `${error.name}${typeof code === 'string' ? ` [${code}]` : ''}: ${error.message}${frame ? `\n    ${frame.trim()}` : ''}`;
  }
  return String(error);
}

/** True when the error says itself whether it is worth another try (NonRetriableError, AppError, ...). */
function isClassified(error: unknown): boolean {
  return (
    !!error && typeof error === 'object' && typeof (error as { retriable?: unknown }).retriable === 'boolean'
  );
}

/**
 * Why an outcome breaks the contract, or null when it keeps it: a sample must be handled, or refused
 * with a classified error — one that carries its `retriable` flag, as NonRetriableError and AppError
 * do — which the consumer dead-letters by design (a retriable one after its retries), and the
 * dead-letter hook must then run cleanly. A TypeError, a database constraint violation or any other
 * unclassified failure, and an event the handler publishes that breaks its own schema, are breaches.
 */
export function contractBreach(outcome: SampleOutcome): string | null {
  if (outcome.result === 'handled') return null;
  const { error } = outcome;
  if (outcome.deadLetterError !== undefined)
    return `its dead-letter hook failed: ${describeError(outcome.deadLetterError)} (after ${describeError(error)})`;
  if (error instanceof EventValidationError)
    return `it published an event that breaks that event's schema: ${describeError(error)}`;
  if (!isClassified(error))
    return `it failed with an unclassified error (${outcome.attempts} attempt(s)): ${describeError(error)}`;
  return null;
}

/**
 * Runs every sample through the consumer and throws one error listing each sample that broke the
 * contract, naming the service, the handler, the event and its schema file.
 */
export async function expectContractKept<N extends EventName>(
  consumer: ConsumerUnderTest,
  samples: readonly EventSample<N>[],
  options: {
    /**
     * Samples that must be handled, not refused: e.g. the optional-null variants of an event about
     * rows the service has, which a producer may send as they are.
     */
    mustBeHandled?: (sample: EventSample<N>) => boolean;
  } = {},
): Promise<SampleOutcome[]> {
  const outcomes: SampleOutcome[] = [];
  const breaches: string[] = [];
  for (const sample of samples) {
    const outcome = await consumeSample(consumer, sample);
    outcomes.push(outcome);
    let breach = contractBreach(outcome);
    if (!breach && outcome.result === 'refused' && options.mustBeHandled?.(sample))
      breach = `it refused an event it must handle: ${describeError(outcome.error)}`;
    if (breach)
      breaches.push(
        `- sample "${sample.label}": ${breach}\n    event: ${JSON.stringify(sample.event, (_, v: unknown) =>
          typeof v === 'bigint' ? v.toString() : v,
        )}`,
      );
  }
  if (breaches.length > 0) {
    const name = samples[0]!.name;
    throw new Error(
      `contract broken between ${consumer.service}'s ${name} handler and ${schemaFileOf(name)}: ` +
        `${breaches.length} of ${samples.length} schema-valid ${name} event(s) not handled or refused by design\n` +
        breaches.join('\n'),
    );
  }
  return outcomes;
}

/** A consumer as a service registers it (`ConsumerDefinition` of @fv/service-runtime). */
export interface ConsumerRegistration {
  handlers: object;
  deadLetterHandlers?: object;
  retry?: { delaysMs: readonly number[] };
}

/**
 * Every consumed event of a service, with the consumer that handles it: from the service's own
 * registration (`definition.consumers(context)`), over the service's database.
 */
export function consumersUnderTest(
  service: string,
  registrations: readonly ConsumerRegistration[],
  database: Pick<ConsumerUnderTest, 'transaction' | 'logger'>,
): Map<EventName, ConsumerUnderTest> {
  const consumers = new Map<EventName, ConsumerUnderTest>();
  for (const registration of registrations) {
    const consumer: ConsumerUnderTest = {
      service,
      handlers: registration.handlers as ConsumerUnderTest['handlers'],
      ...(registration.deadLetterHandlers
        ? { deadLetterHandlers: registration.deadLetterHandlers as ConsumerUnderTest['handlers'] }
        : {}),
      retries: registration.retry?.delaysMs.length ?? 3,
      ...database,
    };
    for (const name of Object.keys(registration.handlers) as EventName[]) consumers.set(name, consumer);
  }
  return consumers;
}
