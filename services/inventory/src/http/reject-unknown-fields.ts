import { invalidFields, type FieldIssue } from '@fv/service-kit';
import type { FastifyInstance } from 'fastify';

interface SchemaNode {
  type?: unknown;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: unknown;
  items?: SchemaNode;
}

/** Every field of `value` that `schema` closes its object to (`additionalProperties: false`) and does not declare. */
export function unknownFields(schema: SchemaNode | undefined, value: unknown, path: string): FieldIssue[] {
  if (!schema || value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) {
    return schema.items ? value.flatMap((item, i) => unknownFields(schema.items, item, `${path}[${i}]`)) : [];
  }
  const issues: FieldIssue[] = [];
  const properties = schema.properties ?? {};
  for (const [name, child] of Object.entries(value as Record<string, unknown>)) {
    const declared = properties[name];
    if (declared) issues.push(...unknownFields(declared, child, `${path}.${name}`));
    else if (schema.additionalProperties === false) {
      issues.push({
        field: `${path}.${name}`,
        rule: 'additionalProperties',
        message: 'is not a field of this request',
      });
    }
  }
  return issues;
}

/**
 * Refuses request fields a route's schema does not declare, naming them. Fastify's validator drops
 * such fields silently by default (`removeAdditional`); a misspelt field must be an error, not ignored.
 * Runs before validation, so it sees the request as sent.
 */
export function rejectUnknownFields(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const schema = request.routeOptions.schema as { body?: SchemaNode; querystring?: SchemaNode } | undefined;
    const issues = [
      ...unknownFields(schema?.body, request.body, 'body'),
      ...unknownFields(schema?.querystring, request.query, 'query'),
    ];
    if (issues.length > 0) throw invalidFields(issues);
  });
}
