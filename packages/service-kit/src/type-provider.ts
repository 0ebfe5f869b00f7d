import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyTypeProvider,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

/**
 * Route types from the route's own JSON schema: the schema declared on a route (written `as const`)
 * validates the request, documents it in OpenAPI and types `request.body`, `params`, `querystring` and
 * `headers` — one declaration for all three. Replies are not typed from the response schemas (views
 * map database strings to the API's enums); fastify's serializer still writes only what the response
 * schema declares, and the routes' tests check the shapes.
 */
export interface SchemaTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends JSONSchema ? FromSchema<this['schema']> : unknown;
  serializer: unknown;
}

/** The app with route types inferred from route schemas (see {@link SchemaTypeProvider}). */
export type SchemaTypedApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  SchemaTypeProvider
>;

export function withSchemaTypes(app: FastifyInstance): SchemaTypedApp {
  return app.withTypeProvider<SchemaTypeProvider>();
}

/** The type a JSON schema (written `as const`) describes. */
export type SchemaType<S> = S extends JSONSchema ? FromSchema<S> : never;
