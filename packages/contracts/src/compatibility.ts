/**
 * Offline Avro BACKWARD compatibility check: can a consumer using the NEW schema read
 * every message written with the OLD one? This is the rule the schema registry enforces
 * on each subject (compatibility level BACKWARD), applied here before anything is
 * registered, so a breaking change fails the build instead of a deployment.
 *
 * Rules, from the Avro specification's schema resolution (reader = new, writer = old):
 * - records: a field the new schema adds must have a default; a removed field is fine;
 *   fields present in both must be compatible; the record name must not change
 *   (aliases may carry an old name);
 * - primitives: same type, or a promotion: int → long, float, double; long → float,
 *   double; float → double; string ↔ bytes;
 * - enums: every old symbol must still exist, unless the new enum declares a default;
 * - fixed: same name and size;
 * - arrays and maps: their item / value types, recursively;
 * - unions: every branch the old schema could write must be readable by the new schema
 *   (so making a field optional is fine, making an optional field required is not).
 * Logical types do not take part in resolution and are ignored, as the specification says.
 */
import avro from 'avsc';
import {
  describeAvroType,
  parseAvroSchema,
  type AvroFieldNode,
  type AvroNamedTypeNode,
  type AvroNode,
  type AvroPrimitiveType,
} from './avro-schema.js';

export interface CompatibilityIssue {
  /** Dotted path of the field, e.g. `items[].unitPrice`; empty for the schema itself. */
  readonly path: string;
  readonly message: string;
}

const PROMOTIONS: Readonly<Record<AvroPrimitiveType, readonly AvroPrimitiveType[]>> = {
  null: [],
  boolean: [],
  int: ['long', 'float', 'double'],
  long: ['float', 'double'],
  float: ['double'],
  double: [],
  bytes: ['string'],
  string: ['bytes'],
};

function isNamed(node: AvroNode): node is AvroNamedTypeNode {
  return node.kind === 'record' || node.kind === 'enum' || node.kind === 'fixed';
}

/** Avro compares unqualified names; the reader's aliases may name the writer's type. */
function namesMatch(reader: AvroNamedTypeNode, writer: AvroNamedTypeNode): boolean {
  if (reader.name === writer.name) return true;
  return reader.aliases.some((alias) => alias === writer.fullName || alias.split('.').at(-1) === writer.name);
}

/** Whether a value written as `writer` could select `reader` as its branch at all. */
function branchMatches(reader: AvroNode, writer: AvroNode): boolean {
  if (reader.kind === 'primitive' && writer.kind === 'primitive') {
    return reader.type === writer.type || PROMOTIONS[writer.type].includes(reader.type);
  }
  if (isNamed(reader) && isNamed(writer)) return reader.kind === writer.kind && namesMatch(reader, writer);
  return reader.kind === writer.kind && reader.kind !== 'union';
}

function fieldLabel(path: string): string {
  return path ? `field "${path}"` : 'the schema';
}

class BackwardChecker {
  readonly issues: CompatibilityIssue[] = [];
  private readonly inProgress = new Set<string>();

  private report(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  check(reader: AvroNode, writer: AvroNode, path: string): void {
    if (writer.kind === 'union') {
      for (const branch of writer.branches) {
        if (reader.kind === 'union') {
          const target = reader.branches.find((candidate) => branchMatches(candidate, branch));
          if (!target) {
            this.report(
              path,
              `${fieldLabel(path)}: old data may hold ${describeAvroType(branch)}, which the new type ` +
                `${describeAvroType(reader)} cannot read`,
            );
          } else this.check(target, branch, path);
        } else if (!branchMatches(reader, branch)) {
          this.report(
            path,
            `${fieldLabel(path)}: type changed from ${describeAvroType(writer)} to ${describeAvroType(reader)}; ` +
              `old ${describeAvroType(branch)} values cannot be read`,
          );
        } else this.check(reader, branch, path);
      }
      return;
    }
    if (reader.kind === 'union') {
      const target = reader.branches.find((candidate) => branchMatches(candidate, writer));
      if (!target) {
        this.report(
          path,
          `${fieldLabel(path)}: type changed from ${describeAvroType(writer)} to ${describeAvroType(reader)}, ` +
            'which has no branch that can read the old values',
        );
      } else this.check(target, writer, path);
      return;
    }
    if (!branchMatches(reader, writer)) {
      this.report(
        path,
        `${fieldLabel(path)}: type changed from ${describeAvroType(writer)} to ${describeAvroType(reader)}, ` +
          'which is not a permitted promotion',
      );
      return;
    }
    switch (reader.kind) {
      case 'record':
        if (writer.kind === 'record') this.checkRecord(reader, writer, path);
        return;
      case 'enum':
        if (writer.kind === 'enum') {
          const removed = writer.symbols.filter((symbol) => !reader.symbols.includes(symbol));
          if (removed.length > 0 && reader.default === undefined) {
            this.report(
              path,
              `${fieldLabel(path)}: enum ${reader.name} no longer has ${removed.map((s) => `"${s}"`).join(', ')}, ` +
                'which old data may hold (keep the symbols, or give the enum a "default")',
            );
          }
        }
        return;
      case 'fixed':
        if (writer.kind === 'fixed' && writer.size !== reader.size) {
          this.report(
            path,
            `${fieldLabel(path)}: fixed ${reader.name} changed size from ${writer.size} to ${reader.size}`,
          );
        }
        return;
      case 'array':
        if (writer.kind === 'array') this.check(reader.items, writer.items, `${path}[]`);
        return;
      case 'map':
        if (writer.kind === 'map') this.check(reader.values, writer.values, `${path}{}`);
        return;
      default:
        return;
    }
  }

  private checkRecord(
    reader: Extract<AvroNode, { kind: 'record' }>,
    writer: Extract<AvroNode, { kind: 'record' }>,
    path: string,
  ): void {
    // A recursive type is compared once per pair; the second visit adds nothing new.
    const key = `${reader.fullName}<-${writer.fullName}`;
    if (this.inProgress.has(key)) return;
    this.inProgress.add(key);
    const byName = new Map<string, AvroFieldNode>(writer.fields.map((field) => [field.name, field]));
    for (const field of reader.fields) {
      const fieldPath = path ? `${path}.${field.name}` : field.name;
      const old = byName.get(field.name) ?? field.aliases.map((alias) => byName.get(alias)).find(Boolean);
      if (old) this.check(field.type, old.type, fieldPath);
      else if (!field.hasDefault) {
        this.report(
          fieldPath,
          `field "${fieldPath}" was added without a default, so data written before it existed cannot be read ` +
            '(give it a "default", e.g. null with the type ["null", ...])',
        );
      }
    }
    this.inProgress.delete(key);
  }
}

/**
 * Lists why `next` cannot read data written with `previous` under Avro BACKWARD rules;
 * an empty list means compatible. Both are schema JSON (already `JSON.parse`d).
 *
 * The Avro library's own resolver is consulted as a second opinion: if it refuses a
 * pair that the rules above accept, its reason is reported too.
 */
export function checkBackwardCompatibility(previous: unknown, next: unknown): CompatibilityIssue[] {
  const checker = new BackwardChecker();
  const writer = parseAvroSchema(previous);
  const reader = parseAvroSchema(next);
  if (isNamed(reader) && isNamed(writer) && reader.kind === writer.kind && !namesMatch(reader, writer)) {
    return [
      {
        path: '',
        message: `the schema was renamed from "${writer.fullName}" to "${reader.fullName}" (add the old name to "aliases")`,
      },
    ];
  }
  checker.check(reader, writer, '');
  if (checker.issues.length === 0) {
    try {
      // Avro (and the registry) match named types by unqualified name, so namespaces are ignored.
      avro.Type.forSchema(next as avro.Schema).createResolver(avro.Type.forSchema(previous as avro.Schema), {
        ignoreNamespaces: true,
      });
    } catch (error) {
      checker.issues.push({
        path: '',
        message: `the Avro library cannot resolve the schemas: ${(error as Error).message}`,
      });
    }
  }
  return checker.issues;
}

/** One line per issue, prefixed with `label` (usually the schema file). */
export function formatCompatibilityIssues(label: string, issues: readonly CompatibilityIssue[]): string {
  return issues.map((issue) => `${label}: ${issue.message}`).join('\n');
}
