import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';

type ValidatorFactory = NonNullable<
  NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildValidator']
>;
type RouteSchema = { schema: unknown; method: string; url: string; httpPart?: string };
/** What @fastify/ajv-compiler really returns: a compiler of one route part's schema. */
type PartCompiler = (route: RouteSchema) => unknown;
type CompilerOptions = { customOptions?: Record<string, unknown> } & Record<string, unknown>;

/**
 * Validators for request parts. Query strings, path parameters and headers are text on the wire, so they
 * are coerced to the declared types (`?size=20` is the integer 20). A JSON body carries its own types and
 * is validated as sent: `{"onHand": "5"}` is refused where an integer is declared, never read as 5.
 */
export const buildValidator = ((externalSchemas: Record<string, never>, options?: CompilerOptions) => {
  const build = (customOptions: Record<string, unknown>) =>
    AjvCompiler()(externalSchemas, { ...options, customOptions } as never) as unknown as PartCompiler;
  const coercing = build({ ...options?.customOptions });
  const exact = build({ ...options?.customOptions, coerceTypes: false });
  return (route: RouteSchema) => (route.httpPart === 'body' ? exact(route) : coercing(route));
}) as unknown as ValidatorFactory;

/**
 * JSON bodies, with one difference from fastify's parser: a request that declares
 * `Content-Type: application/json` but sends no body (as Postman and many HTTP clients do for DELETE or
 * for a POST without fields) has no body rather than a malformed one. A route that needs a body still
 * refuses it, through its schema. Prototype poisoning is refused as by the default parser.
 */
export function acceptBodilessJson(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body.toString().trim() === '') {
      done(null, undefined);
      return;
    }
    parse(request, body.toString(), done);
  });
}
