import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import {
  AvroSchemaError,
  avroNodeSignature,
  describeAvroType,
  forEachNamedType,
  parseAvroSchema,
  type AvroNode,
  type AvroRecordNode,
} from './avro-schema.js';
import { kebabCase, namespaceForDomain, subjectForTopic, topicForEventName } from './naming.js';

/** The repository root and its `schemas/` folder, the single source of event contracts. */
export const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const schemasDirectory = join(repositoryRoot, 'schemas');

/** The fields every event starts with, in this order, with exactly these types. */
export const envelopeFields = [
  { name: 'eventId', type: { type: 'string', logicalType: 'uuid' } },
  { name: 'occurredAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
  { name: 'correlationId', type: 'string' },
  { name: 'causationId', type: ['null', 'string'], default: null },
  { name: 'producer', type: 'string' },
] as const;

/** Field names that hold money; they must be decimal strings (`"x-format": "decimal"`). */
const MONEY_FIELD = /(amount|price|cost)$/i;
const DECIMAL_FORMAT = 'decimal';

export interface EventDefinition {
  /** Event name, the record's name: `OrderCreated`. */
  readonly name: string;
  /** Folder under `schemas/` and last namespace segment: `order`. */
  readonly domain: string;
  /** Path from the repository root, with forward slashes: `schemas/order/order-created.avsc`. */
  readonly file: string;
  readonly topic: string;
  readonly subject: string;
  /** The schema exactly as parsed from the file. */
  readonly schema: Readonly<Record<string, unknown>>;
  readonly root: AvroRecordNode;
}

/** One or more schema files break the rules; `problems` has one line per problem. */
export class SchemaLintError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid event schemas:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SchemaLintError';
  }
}

/** Every `.avsc` file under `directory`, as absolute paths, sorted. */
export function findSchemaFiles(directory: string = schemasDirectory): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith('.avsc')) found.push(path);
    }
  };
  walk(directory);
  return found.sort();
}

/** `file` relative to the repository root, with forward slashes. */
export function repositoryPath(file: string, root: string = repositoryRoot): string {
  return relative(root, file).split(sep).join('/');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

interface Located {
  readonly path: string;
  readonly node: AvroNode;
  readonly fieldName?: string;
  readonly hasDefault?: boolean;
  readonly default?: unknown;
}

/** Every type position in a record tree, with a dotted path (`items[].unitPrice`). */
function* typePositions(root: AvroRecordNode): Generator<Located> {
  const seen = new Set<AvroNode>();
  function* walk(node: AvroNode, path: string, field?: Omit<Located, 'path' | 'node'>): Generator<Located> {
    yield { path, node, ...field };
    switch (node.kind) {
      case 'record':
        if (seen.has(node)) return;
        seen.add(node);
        for (const f of node.fields) {
          yield* walk(f.type, path ? `${path}.${f.name}` : f.name, {
            fieldName: f.name,
            hasDefault: f.hasDefault,
            default: f.default,
          });
        }
        return;
      case 'array':
        return yield* walk(node.items, `${path}[]`);
      case 'map':
        return yield* walk(node.values, `${path}{}`);
      case 'union':
        for (const branch of node.branches) yield* walk(branch, path);
        return;
      default:
        return;
    }
  }
  yield* walk(root, '');
}

function isDecimalString(node: AvroNode): boolean {
  return node.kind === 'primitive' && node.type === 'string' && node.props['x-format'] === DECIMAL_FORMAT;
}

/** Adds one problem, about the file being checked. */
type Report = (message: string) => void;

/**
 * Checks one schema file against the house rules and returns its definition, or the
 * problems found. `file` is the repository path used in messages.
 */
export function lintEventSchema(
  file: string,
  text: string,
): { definition: EventDefinition; problems: [] } | { definition?: undefined; problems: string[] } {
  const problems: string[] = [];
  const report = (message: string) => problems.push(`${file}: ${message}`);
  const parts = file.split('/');
  const domain = parts.at(-2) ?? '';
  const expectedName = basename(file, '.avsc');

  checkLocation(parts, domain, report);
  const parsed = parseEventRecord(text, report);
  if (!parsed) return { problems };
  const { schema, root } = parsed;

  const name = root.name;
  checkNaming(root, domain, expectedName, report);
  checkEnvelope(schema, report);
  checkDocs(root, report);
  checkTypes(root, report);

  try {
    avro.Type.forSchema(schema as unknown as avro.Schema, { wrapUnions: false });
  } catch (error) {
    report(`rejected by the Avro library: ${(error as Error).message}`);
  }

  if (problems.length > 0) return { problems };
  const topic = topicForEventName(name);
  return {
    definition: { name, domain, file, topic, subject: subjectForTopic(topic), schema, root },
    problems: [],
  };
}

/** The file lives at `schemas/<domain>/<event-name>.avsc`, in a lower-case domain folder. */
function checkLocation(parts: string[], domain: string, report: Report): void {
  if (parts.length !== 3 || parts[0] !== 'schemas') {
    report('schema files live at schemas/<domain>/<event-name>.avsc');
  }
  if (!/^[a-z][a-z0-9]*$/.test(domain))
    report(`domain folder "${domain}" must be lower-case letters and digits`);
}

/** The file's JSON object and its Avro record, or undefined (with the problem reported) when it is neither. */
function parseEventRecord(
  text: string,
  report: Report,
): { schema: Record<string, unknown>; root: AvroRecordNode } | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    report(`not valid JSON: ${(error as Error).message}`);
    return undefined;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    report('the schema must be a JSON object');
    return undefined;
  }
  const schema = json as Record<string, unknown>;

  let root: AvroNode;
  try {
    root = parseAvroSchema(schema);
  } catch (error) {
    if (error instanceof AvroSchemaError) {
      report(error.message);
      return undefined;
    }
    throw error;
  }
  if (root.kind !== 'record') {
    report('an event schema must be a record');
    return undefined;
  }
  return { schema, root };
}

/** A PascalCase record name matching the file name, in the domain's namespace. */
function checkNaming(root: AvroRecordNode, domain: string, expectedName: string, report: Report): void {
  const name = root.name;
  if (!/^[A-Z][A-Za-z0-9]*$/.test(name)) report(`event name "${name}" must be PascalCase`);
  if (kebabCase(name) !== expectedName) {
    report(`record "${name}" must live in a file named ${kebabCase(name)}.avsc`);
  }
  if (root.namespace !== namespaceForDomain(domain)) {
    report(`namespace must be "${namespaceForDomain(domain)}" (found "${root.namespace}")`);
  }
}

/** The record starts with the envelope fields, in order (their docs may differ). */
function checkEnvelope(schema: Record<string, unknown>, report: Report): void {
  envelopeFields.forEach((expected, index) => {
    const actual = (schema['fields'] as Array<Record<string, unknown>>)[index];
    const comparable = Object.fromEntries(Object.entries(actual ?? {}).filter(([key]) => key !== 'doc'));
    if (!actual || stableJson(comparable) !== stableJson(expected)) {
      report(
        `field ${index + 1} must be the envelope field ${JSON.stringify(expected)} ` +
          `(the envelope is: ${envelopeFields.map((f) => f.name).join(', ')})`,
      );
    }
  });
}

/** Every named type and every field of a record has a "doc". */
function checkDocs(root: AvroRecordNode, report: Report): void {
  forEachNamedType(root, (named) => {
    if (!named.doc?.trim()) report(`${named.kind} "${named.name}" needs a "doc"`);
    if (named.kind === 'record') {
      for (const field of named.fields) {
        if (!field.doc?.trim()) report(`field "${field.name}" of "${named.name}" needs a "doc"`);
      }
    }
  });
}

/** The rules on every type position, and a top-level "currency" for an event with amounts. */
function checkTypes(root: AvroRecordNode, report: Report): void {
  let hasMoney = false;
  for (const position of typePositions(root)) {
    checkTypePosition(position, position.path || root.name, report);
    if (isDecimalString(position.node)) hasMoney = true;
  }
  if (hasMoney) {
    const currency = root.fields.find((f) => f.name === 'currency');
    if (!currency || currency.type.kind !== 'primitive' || currency.type.type !== 'string') {
      report('an event with amounts needs a top-level "currency" string field');
    }
  }
}

/** Optional values as ["null", <type>] with a null default, "x-format" only as decimal, money as decimal strings. */
function checkTypePosition(position: Located, where: string, report: Report): void {
  const { node } = position;
  if (node.kind === 'union') {
    const [first, second, ...rest] = node.branches;
    const nullFirst = first?.kind === 'primitive' && first.type === 'null';
    const valueBranch = second && !(second.kind === 'primitive' && second.type === 'null');
    if (!nullFirst || !valueBranch || rest.length > 0) {
      report(`"${where}": a union must be ["null", <type>] (found ${describeAvroType(node)})`);
    } else if (position.fieldName !== undefined && (!position.hasDefault || position.default !== null)) {
      report(`"${where}": an optional field needs "default": null`);
    }
  }
  if (node.kind === 'primitive' && 'x-format' in node.props) {
    if (node.props['x-format'] !== DECIMAL_FORMAT || node.type !== 'string') {
      report(`"${where}": "x-format" is only defined as "decimal" on a string`);
    }
  }
  if (position.fieldName !== undefined && MONEY_FIELD.test(position.fieldName)) {
    const valueType = node.kind === 'union' ? node.branches[1] : node;
    if (!valueType || !isDecimalString(valueType)) {
      report(
        `"${where}": money is a decimal string, {"type": "string", "x-format": "decimal"} ` +
          `(found ${describeAvroType(node)})`,
      );
    }
  }
}

/** Checks the rules that span files: unique names and topics, one shape per named type. */
export function lintAcrossSchemas(definitions: readonly EventDefinition[]): string[] {
  const problems: string[] = [];
  const byTopic = new Map<string, EventDefinition>();
  const namedTypes = new Map<string, { signature: string; file: string }>();
  for (const definition of definitions) {
    const clash = byTopic.get(definition.topic);
    if (clash) {
      problems.push(`${definition.file}: event name "${definition.name}" is also defined by ${clash.file}`);
    }
    byTopic.set(definition.topic, definition);
    forEachNamedType(definition.root, (named) => {
      const signature = avroNodeSignature(named);
      const known = namedTypes.get(named.fullName);
      if (!known) namedTypes.set(named.fullName, { signature, file: definition.file });
      else if (known.signature !== signature) {
        problems.push(
          `${definition.file}: type "${named.fullName}" differs from its definition in ${known.file}; ` +
            'a named type must be identical everywhere it is defined',
        );
      }
    });
  }
  return problems;
}

/**
 * Reads and checks every schema under `directory`. Throws {@link SchemaLintError} listing
 * every problem in every file; returns the definitions sorted by event name.
 */
export function loadEventDefinitions(directory: string = schemasDirectory): EventDefinition[] {
  const problems: string[] = [];
  const definitions: EventDefinition[] = [];
  const root = join(directory, '..');
  const files = findSchemaFiles(directory);
  if (files.length === 0) problems.push(`${repositoryPath(directory, root)}: no .avsc files found`);
  for (const path of files) {
    const result = lintEventSchema(repositoryPath(path, root), readFileSync(path, 'utf8'));
    if (result.definition) definitions.push(result.definition);
    else problems.push(...result.problems);
  }
  problems.push(...lintAcrossSchemas(definitions));
  if (problems.length > 0) throw new SchemaLintError(problems);
  return definitions.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
