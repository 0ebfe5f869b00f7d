import avro from 'avsc';
import { describeAvroType, parseAvroSchema, type AvroNode, type AvroRecordNode } from './avro-schema.js';
import { catalogEntryOf } from './event-catalog.js';
import type { EventMap, EventName } from './generated/events.js';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DECIMAL_PATTERN = /^-?\d+(\.\d+)?$/;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * The `uuid` logical type: a string that must be a UUID. Values stay plain strings.
 * (`timestamp-millis` has no logical type here on purpose: it stays a `long`, so
 * `occurredAt` is a number of epoch milliseconds in JavaScript.)
 */
class UuidType extends avro.types.LogicalType {
  protected override _fromValue(value: unknown): unknown {
    return value;
  }

  protected override _toValue(value: unknown): unknown {
    return typeof value === 'string' && UUID_PATTERN.test(value) ? value : undefined;
  }

  protected override _resolve(type: avro.Type): ((value: unknown) => unknown) | undefined {
    return avro.Type.isType(type, 'string', 'logical:uuid') ? (value) => value : undefined;
  }
}

type ForSchemaOptions = NonNullable<Parameters<typeof avro.Type.forSchema>[1]>;

/**
 * Options for `avro.Type.forSchema` that match the generated TypeScript types: optional
 * fields are plain `T | null` (no union wrapping), uuids are checked, timestamps are numbers.
 * A new object per call: avsc records the types it creates in the options it is given, so
 * one options object must not be shared between unrelated schemas.
 */
export function avroTypeOptions(): ForSchemaOptions {
  return { logicalTypes: { uuid: UuidType }, wrapUnions: false };
}

const typeCache = new Map<EventName, avro.Type>();
const modelCache = new Map<EventName, AvroRecordNode>();

/** The avsc type of an event's schema, created once and cached. */
export function avroTypeOf(name: EventName): avro.Type {
  let type = typeCache.get(name);
  if (!type) {
    type = avro.Type.forSchema(catalogEntryOf(name).schema as unknown as avro.Schema, avroTypeOptions());
    typeCache.set(name, type);
  }
  return type;
}

function modelOf(name: EventName): AvroRecordNode {
  let model = modelCache.get(name);
  if (!model) {
    model = parseAvroSchema(catalogEntryOf(name).schema) as AvroRecordNode;
    modelCache.set(name, model);
  }
  return model;
}

export interface EventValidationIssue {
  /** Where the problem is, e.g. `items[0].quantity`; empty for the event itself. */
  readonly path: string;
  readonly message: string;
}

/** An event that does not match its schema; `issues` names every offending field. */
export class EventValidationError extends Error {
  constructor(
    readonly eventName: EventName,
    readonly issues: readonly EventValidationIssue[],
  ) {
    super(
      `Invalid ${eventName} event: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`,
    );
    this.name = 'EventValidationError';
  }
}

function preview(value: unknown): string {
  if (value === undefined) return 'undefined';
  let text: string;
  try {
    text = typeof value === 'bigint' ? `${value}n` : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function nonNullBranch(node: AvroNode): AvroNode {
  if (node.kind !== 'union') return node;
  return node.branches.find((b) => !(b.kind === 'primitive' && b.type === 'null')) ?? node;
}

/** Follows an avsc error path through the schema, to name the type and format the path. */
function locate(
  root: AvroRecordNode,
  segments: readonly string[],
): { path: string; node: AvroNode | undefined } {
  let node: AvroNode | undefined = root;
  let path = '';
  for (const segment of segments) {
    const current: AvroNode | undefined = node && nonNullBranch(node);
    if (current?.kind === 'array') {
      path += `[${segment}]`;
      node = current.items;
    } else if (current?.kind === 'map') {
      path += IDENTIFIER.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`;
      node = current.values;
    } else {
      path += path ? `.${segment}` : segment;
      node = current?.kind === 'record' ? current.fields.find((f) => f.name === segment)?.type : undefined;
    }
  }
  return { path, node };
}

function failure(node: AvroNode | undefined, value: unknown): string {
  const expected = node ? describeAvroType(node) : 'a value the schema allows';
  if (value === undefined) return `is required (${expected})`;
  const target = node && nonNullBranch(node);
  if (target?.kind === 'primitive' && target.logicalType === 'uuid' && typeof value === 'string') {
    return `must be a UUID, got ${preview(value)}`;
  }
  if (target?.kind === 'enum' && typeof value === 'string') {
    return `must be one of ${target.symbols.join(', ')}, got ${preview(value)}`;
  }
  return `expected ${expected}, got ${preview(value)}`;
}

/** Checks what avsc does not: undeclared fields, and the format of decimal strings. */
function checkExtras(node: AvroNode, value: unknown, path: string, issues: EventValidationIssue[]): void {
  if (value === null || value === undefined) return;
  const target = nonNullBranch(node);
  const join = (segment: string) => (path ? `${path}.${segment}` : segment);
  switch (target.kind) {
    case 'record': {
      if (typeof value !== 'object' || Array.isArray(value)) return;
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        if (!target.fields.some((f) => f.name === key) && record[key] !== undefined) {
          issues.push({ path: join(key), message: `is not a field of ${target.name}` });
        }
      }
      for (const field of target.fields)
        checkExtras(field.type, record[field.name], join(field.name), issues);
      return;
    }
    case 'array':
      if (Array.isArray(value))
        value.forEach((item, i) => checkExtras(target.items, item, `${path}[${i}]`, issues));
      return;
    case 'map':
      if (typeof value === 'object' && !Array.isArray(value)) {
        for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
          checkExtras(
            target.values,
            item,
            IDENTIFIER.test(key) ? join(key) : `${path}[${JSON.stringify(key)}]`,
            issues,
          );
        }
      }
      return;
    case 'primitive':
      if (
        target.props['x-format'] === 'decimal' &&
        typeof value === 'string' &&
        !DECIMAL_PATTERN.test(value)
      ) {
        issues.push({ path, message: `must be a decimal string such as "1499.97", got ${preview(value)}` });
      }
      return;
    default:
      return;
  }
}

/**
 * Checks a value against an event's schema. Returns one issue per offending field (an
 * empty list when the event is valid): wrong or missing values, fields the schema does not
 * declare, malformed UUIDs and decimal amounts.
 */
export function validateEvent(name: EventName, value: unknown): EventValidationIssue[] {
  const root = modelOf(name);
  const issues: EventValidationIssue[] = [];
  avroTypeOf(name).isValid(value, {
    errorHook: (segments: string[], invalid: unknown) => {
      const { path, node } = locate(root, segments);
      issues.push({ path, message: failure(node, invalid) });
    },
  });
  checkExtras(root, value, '', issues);
  return issues;
}

/** Throws an {@link EventValidationError} naming every offending field unless `value` is a valid `name` event. */
export function assertValidEvent<N extends EventName>(name: N, value: unknown): asserts value is EventMap[N] {
  const issues = validateEvent(name, value);
  if (issues.length > 0) throw new EventValidationError(name, issues);
}
