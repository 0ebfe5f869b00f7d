/**
 * A typed model of Avro schema JSON (https://avro.apache.org/docs/1.11.1/specification/).
 *
 * The model resolves named-type references, so a record that is defined once and then
 * referred to by name is the same object everywhere it is used. Every tool in this
 * package (linting, code generation, the compatibility checker, event validation) reads
 * schemas through this model instead of walking raw JSON.
 */

export const avroPrimitiveTypes = [
  'null',
  'boolean',
  'int',
  'long',
  'float',
  'double',
  'bytes',
  'string',
] as const;
export type AvroPrimitiveType = (typeof avroPrimitiveTypes)[number];

/** Attributes other than the ones the Avro specification defines for the type. */
export type AvroProps = Readonly<Record<string, unknown>>;

export interface AvroPrimitiveNode {
  readonly kind: 'primitive';
  readonly type: AvroPrimitiveType;
  readonly logicalType: string | undefined;
  readonly props: AvroProps;
}

export interface AvroNamedNode {
  /** Namespace-qualified name, e.g. `com.firstviscount.events.order.OrderItem`. */
  readonly fullName: string;
  /** Name without its namespace, e.g. `OrderItem`. */
  readonly name: string;
  readonly namespace: string;
  readonly aliases: readonly string[];
  readonly doc: string | undefined;
}

export interface AvroFieldNode {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly type: AvroNode;
  readonly hasDefault: boolean;
  readonly default: unknown;
  readonly doc: string | undefined;
  readonly props: AvroProps;
}

export interface AvroRecordNode extends AvroNamedNode {
  readonly kind: 'record';
  readonly fields: readonly AvroFieldNode[];
  readonly props: AvroProps;
}

export interface AvroEnumNode extends AvroNamedNode {
  readonly kind: 'enum';
  readonly symbols: readonly string[];
  readonly default: string | undefined;
}

export interface AvroFixedNode extends AvroNamedNode {
  readonly kind: 'fixed';
  readonly size: number;
  readonly logicalType: string | undefined;
}

export interface AvroArrayNode {
  readonly kind: 'array';
  readonly items: AvroNode;
}

export interface AvroMapNode {
  readonly kind: 'map';
  readonly values: AvroNode;
}

export interface AvroUnionNode {
  readonly kind: 'union';
  readonly branches: readonly AvroNode[];
}

export type AvroNode =
  | AvroPrimitiveNode
  | AvroRecordNode
  | AvroEnumNode
  | AvroFixedNode
  | AvroArrayNode
  | AvroMapNode
  | AvroUnionNode;

export type AvroNamedTypeNode = AvroRecordNode | AvroEnumNode | AvroFixedNode;

/** A schema that is not valid Avro; `path` locates the offending part, e.g. `fields.items.type`. */
export class AvroSchemaError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(path ? `${path}: ${message}` : message);
    this.name = 'AvroSchemaError';
  }
}

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RECORD_KEYS = new Set(['type', 'name', 'namespace', 'doc', 'aliases', 'fields']);
const FIELD_KEYS = new Set(['name', 'type', 'default', 'doc', 'aliases', 'order']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPrimitive(value: string): value is AvroPrimitiveType {
  return (avroPrimitiveTypes as readonly string[]).includes(value);
}

function pick(source: Record<string, unknown>, known: ReadonlySet<string>): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (!known.has(key)) props[key] = value;
  }
  return props;
}

function joinPath(path: string, segment: string): string {
  return path ? `${path}.${segment}` : segment;
}

class SchemaParser {
  private readonly named = new Map<string, AvroNamedTypeNode>();

  parse(json: unknown, namespace: string, path: string): AvroNode {
    if (typeof json === 'string') return this.parseReference(json, namespace, path);
    if (Array.isArray(json)) return this.parseUnion(json, namespace, path);
    if (!isObject(json)) throw new AvroSchemaError(path, `expected a type name, an array or an object`);
    const type = json['type'];
    if (typeof type !== 'string') {
      // `{"type": {...}}` and `{"type": [...]}` wrap a type; they are legal and mean the inner type.
      if (type !== undefined && (Array.isArray(type) || isObject(type))) {
        return this.parse(type, namespace, joinPath(path, 'type'));
      }
      throw new AvroSchemaError(path, `"type" must be a string, an array or an object`);
    }
    switch (type) {
      case 'record':
      case 'error':
        return this.parseRecord(json, namespace, path);
      case 'enum':
        return this.parseEnum(json, namespace, path);
      case 'fixed':
        return this.parseFixed(json, namespace, path);
      case 'array':
        return { kind: 'array', items: this.parse(json['items'], namespace, joinPath(path, 'items')) };
      case 'map':
        return { kind: 'map', values: this.parse(json['values'], namespace, joinPath(path, 'values')) };
      default:
        if (isPrimitive(type)) {
          const logicalType = json['logicalType'];
          return {
            kind: 'primitive',
            type,
            logicalType: typeof logicalType === 'string' ? logicalType : undefined,
            props: pick(json, new Set(['type', 'logicalType'])),
          };
        }
        return this.parseReference(type, namespace, path);
    }
  }

  private parseReference(name: string, namespace: string, path: string): AvroNode {
    if (isPrimitive(name)) return { kind: 'primitive', type: name, logicalType: undefined, props: {} };
    const fullName = name.includes('.') ? name : namespace ? `${namespace}.${name}` : name;
    const found = this.named.get(fullName) ?? this.named.get(name);
    if (!found) throw new AvroSchemaError(path, `unknown type "${name}"`);
    return found;
  }

  private parseUnion(json: readonly unknown[], namespace: string, path: string): AvroUnionNode {
    const branches = json.map((branch, index) => this.parse(branch, namespace, `${path}[${index}]`));
    branches.forEach((branch, index) => {
      if (branch.kind === 'union')
        throw new AvroSchemaError(`${path}[${index}]`, 'a union may not contain a union');
    });
    return { kind: 'union', branches };
  }

  private names(json: Record<string, unknown>, namespace: string, path: string) {
    const rawName = json['name'];
    if (typeof rawName !== 'string' || rawName === '')
      throw new AvroSchemaError(path, 'a named type needs a "name"');
    const rawNamespace = json['namespace'];
    let name = rawName;
    let ownNamespace = typeof rawNamespace === 'string' ? rawNamespace : namespace;
    const lastDot = rawName.lastIndexOf('.');
    if (lastDot >= 0) {
      ownNamespace = rawName.slice(0, lastDot);
      name = rawName.slice(lastDot + 1);
    }
    if (!NAME_PATTERN.test(name)) throw new AvroSchemaError(path, `invalid name "${rawName}"`);
    const fullName = ownNamespace ? `${ownNamespace}.${name}` : name;
    if (this.named.has(fullName)) throw new AvroSchemaError(path, `type "${fullName}" is defined twice`);
    const aliases = Array.isArray(json['aliases'])
      ? json['aliases'].filter((a): a is string => typeof a === 'string')
      : [];
    const doc = typeof json['doc'] === 'string' ? json['doc'] : undefined;
    return { fullName, name, namespace: ownNamespace, aliases, doc };
  }

  private parseRecord(json: Record<string, unknown>, namespace: string, path: string): AvroRecordNode {
    const names = this.names(json, namespace, path);
    const rawFields = json['fields'];
    if (!Array.isArray(rawFields))
      throw new AvroSchemaError(path, `record "${names.fullName}" needs a "fields" array`);
    const fields: AvroFieldNode[] = [];
    const record: AvroRecordNode = { kind: 'record', ...names, fields, props: pick(json, RECORD_KEYS) };
    // Registered before its fields are parsed, so that a field may refer to the record itself.
    this.named.set(names.fullName, record);
    const seen = new Set<string>();
    rawFields.forEach((rawField: unknown, index) => {
      const fieldPath = joinPath(path, `fields[${index}]`);
      if (!isObject(rawField)) throw new AvroSchemaError(fieldPath, 'a field must be an object');
      const name = rawField['name'];
      if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
        throw new AvroSchemaError(fieldPath, `invalid field name ${JSON.stringify(name)}`);
      }
      if (seen.has(name)) throw new AvroSchemaError(fieldPath, `field "${name}" is declared twice`);
      seen.add(name);
      if (!('type' in rawField)) throw new AvroSchemaError(fieldPath, `field "${name}" has no "type"`);
      const aliases = Array.isArray(rawField['aliases'])
        ? rawField['aliases'].filter((a): a is string => typeof a === 'string')
        : [];
      fields.push({
        name,
        aliases,
        type: this.parse(rawField['type'], names.namespace, joinPath(path, name)),
        hasDefault: 'default' in rawField,
        default: rawField['default'],
        doc: typeof rawField['doc'] === 'string' ? rawField['doc'] : undefined,
        props: pick(rawField, FIELD_KEYS),
      });
    });
    return record;
  }

  private parseEnum(json: Record<string, unknown>, namespace: string, path: string): AvroEnumNode {
    const names = this.names(json, namespace, path);
    const symbols = json['symbols'];
    if (
      !Array.isArray(symbols) ||
      !symbols.every((s): s is string => typeof s === 'string' && NAME_PATTERN.test(s))
    ) {
      throw new AvroSchemaError(path, `enum "${names.fullName}" needs "symbols", an array of names`);
    }
    if (new Set(symbols).size !== symbols.length) {
      throw new AvroSchemaError(path, `enum "${names.fullName}" lists a symbol twice`);
    }
    const fallback = json['default'];
    if (fallback !== undefined && (typeof fallback !== 'string' || !symbols.includes(fallback))) {
      throw new AvroSchemaError(path, `enum "${names.fullName}" default must be one of its symbols`);
    }
    const node: AvroEnumNode = { kind: 'enum', ...names, symbols, default: fallback };
    this.named.set(names.fullName, node);
    return node;
  }

  private parseFixed(json: Record<string, unknown>, namespace: string, path: string): AvroFixedNode {
    const names = this.names(json, namespace, path);
    const size = json['size'];
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) {
      throw new AvroSchemaError(path, `fixed "${names.fullName}" needs a non-negative integer "size"`);
    }
    const logicalType = json['logicalType'];
    const node: AvroFixedNode = {
      kind: 'fixed',
      ...names,
      size,
      logicalType: typeof logicalType === 'string' ? logicalType : undefined,
    };
    this.named.set(names.fullName, node);
    return node;
  }
}

/** Parses Avro schema JSON (already `JSON.parse`d) into the model. Throws {@link AvroSchemaError}. */
export function parseAvroSchema(json: unknown): AvroNode {
  return new SchemaParser().parse(json, '', '');
}

/** A short human description of a type, e.g. `string`, `null | string`, `record OrderItem`. */
export function describeAvroType(node: AvroNode): string {
  switch (node.kind) {
    case 'primitive': {
      const format =
        node.logicalType ?? (typeof node.props['x-format'] === 'string' ? node.props['x-format'] : undefined);
      return format ? `${node.type} (${format})` : node.type;
    }
    case 'record':
    case 'enum':
    case 'fixed':
      return `${node.kind} ${node.name}`;
    case 'array':
      return `array of ${describeAvroType(node.items)}`;
    case 'map':
      return `map of ${describeAvroType(node.values)}`;
    case 'union':
      return node.branches.map(describeAvroType).join(' | ');
  }
}

/** Calls `visit` once for every named type reachable from `node`, in definition order. */
export function forEachNamedType(node: AvroNode, visit: (named: AvroNamedTypeNode) => void): void {
  const seen = new Set<AvroNode>();
  const walk = (current: AvroNode): void => {
    switch (current.kind) {
      case 'record':
        if (seen.has(current)) return;
        seen.add(current);
        visit(current);
        current.fields.forEach((field) => walk(field.type));
        return;
      case 'enum':
      case 'fixed':
        if (seen.has(current)) return;
        seen.add(current);
        visit(current);
        return;
      case 'array':
        return walk(current.items);
      case 'map':
        return walk(current.values);
      case 'union':
        return current.branches.forEach(walk);
      case 'primitive':
        return;
    }
  };
  walk(node);
}

/**
 * A deterministic string that is equal for two named types exactly when they have the
 * same definition (names, fields, types, defaults, docs, attributes). Nested named types
 * are included by their full name, since each has its own signature.
 */
export function avroNodeSignature(node: AvroNode): string {
  const ref = (n: AvroNode): unknown => {
    switch (n.kind) {
      case 'record':
      case 'enum':
      case 'fixed':
        return n.fullName;
      case 'primitive':
        return { type: n.type, logicalType: n.logicalType, props: n.props };
      case 'array':
        return { array: ref(n.items) };
      case 'map':
        return { map: ref(n.values) };
      case 'union':
        return { union: n.branches.map(ref) };
    }
  };
  const body = (n: AvroNode): unknown => {
    switch (n.kind) {
      case 'record':
        return {
          record: n.fullName,
          aliases: n.aliases,
          doc: n.doc,
          props: n.props,
          fields: n.fields.map((f) => ({
            name: f.name,
            aliases: f.aliases,
            type: ref(f.type),
            default: f.hasDefault ? { value: f.default } : undefined,
            doc: f.doc,
            props: f.props,
          })),
        };
      case 'enum':
        return { enum: n.fullName, aliases: n.aliases, doc: n.doc, symbols: n.symbols, default: n.default };
      case 'fixed':
        return {
          fixed: n.fullName,
          aliases: n.aliases,
          doc: n.doc,
          size: n.size,
          logicalType: n.logicalType,
        };
      default:
        return ref(n);
    }
  };
  return JSON.stringify(body(node), (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}
