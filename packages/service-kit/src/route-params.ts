import type { JSONSchema } from 'json-schema-to-ts';

/**
 * The `params` schema of a route with one path parameter, `name`, validated by `schema`: typed like the
 * literal `{ type: 'object', required: [name], properties: { [name]: schema } } as const`.
 */
export function idParams<const Name extends string, const Schema extends JSONSchema>(
  name: Name,
  schema: Schema,
) {
  return {
    type: 'object',
    required: [name],
    properties: { [name]: schema } as { readonly [K in Name]: Schema },
  } as const;
}
